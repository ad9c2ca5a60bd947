import { DeliveryMode } from '@caravan/domain';
import { Column, CreateDateColumn, DeleteDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'subscriptions' })
export class SubscriptionEntity {
  @PrimaryColumn({ name: 'id', type: 'text' })
  id!: string;

  @Column({ name: 'project_id', type: 'text' })
  projectId!: string;

  @Column({ name: 'name', type: 'text' })
  name!: string;

  /** Convoy's subscription type: `api` (default) or `cli`. */
  @Column({ name: 'type', type: 'text' })
  type!: string;

  @Column({ name: 'endpoint_id', type: 'text' })
  endpointId!: string;

  @Column({ name: 'source_id', type: 'text', nullable: true })
  sourceId!: string | null;

  /** Its own column (not inside a filter document) so it can be GIN-indexed; `*` matches all. */
  @Column({ name: 'event_types', type: 'text', array: true })
  eventTypes!: string[];

  @Column({ name: 'filter_body', type: 'jsonb' })
  filterBody!: Record<string, unknown>;

  @Column({ name: 'filter_headers', type: 'jsonb' })
  filterHeaders!: Record<string, unknown>;

  /** at_most_once: one attempt, never retried. */
  @Column({ name: 'delivery_mode', type: 'text' })
  deliveryMode!: DeliveryMode;

  /** JavaScript `function transform(payload)` applied to the payload before delivery; null for none. */
  @Column({ name: 'function', type: 'text', nullable: true })
  function!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz' })
  deletedAt!: Date | null;
}
