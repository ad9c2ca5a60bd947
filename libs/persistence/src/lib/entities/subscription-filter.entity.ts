import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A subscription's body and header filter for one event type (Convoy's filters sub-resource). */
@Entity({ name: 'subscription_filters' })
export class SubscriptionFilterEntity {
  @PrimaryColumn({ name: 'id', type: 'text' })
  id!: string;

  @Column({ name: 'project_id', type: 'text' })
  projectId!: string;

  @Column({ name: 'subscription_id', type: 'text' })
  subscriptionId!: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  /** Flattened when saved: the form the router evaluates. */
  @Column({ name: 'body', type: 'jsonb' })
  body!: Record<string, unknown>;

  @Column({ name: 'headers', type: 'jsonb' })
  headers!: Record<string, unknown>;

  /** As the client sent them. */
  @Column({ name: 'raw_body', type: 'jsonb' })
  rawBody!: Record<string, unknown>;

  @Column({ name: 'raw_headers', type: 'jsonb' })
  rawHeaders!: Record<string, unknown>;

  /** Null: the filter is off and the subscription's own filter applies. */
  @Column({ name: 'enabled_at', type: 'timestamptz', nullable: true })
  enabledAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
