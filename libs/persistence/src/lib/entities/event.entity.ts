import { EventStatus } from '@caravan/domain';
import { Column, CreateDateColumn, DeleteDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** How the router picks an event's endpoints (`POST /events`, `/fanout`, `/broadcast`, `/dynamic`). */
/**
 * How the router finds an event's subscriptions: `direct`/`dynamic` by endpoint_ids, `fanout`
 * by owner_id, `broadcast` every matching subscription of the project, `source` the
 * subscriptions of the event's source (webhooks received at /ingest).
 */
export type EventRouting = 'direct' | 'fanout' | 'broadcast' | 'dynamic' | 'source';

@Entity({ name: 'events' })
export class EventEntity {
  @PrimaryColumn({ name: 'id', type: 'text' })
  id!: string;

  @Column({ name: 'project_id', type: 'text' })
  projectId!: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  @Column({ name: 'source_id', type: 'text', nullable: true })
  sourceId!: string | null;

  @Column({ name: 'routing', type: 'text' })
  routing!: EventRouting;

  /** Convoy's `endpoints`: the endpoints the event was addressed to. */
  @Column({ name: 'endpoint_ids', type: 'text', array: true })
  endpointIds!: string[];

  @Column({ name: 'owner_id', type: 'text', nullable: true })
  ownerId!: string | null;

  /** The exact body bytes: these are what get signed and sent, so no re-serialised copy exists. */
  @Column({ name: 'raw', type: 'bytea' })
  raw!: Buffer;

  /** Convoy's shape: header name → values. */
  @Column({ name: 'headers', type: 'jsonb' })
  headers!: Record<string, string[]>;

  @Column({ name: 'url_query_params', type: 'text' })
  urlQueryParams!: string;

  /**
   * W3C trace context of the intake that accepted it, so the router (maybe another process,
   * maybe much later) joins the same trace. Null when tracing is off.
   */
  @Column({ name: 'traceparent', type: 'text', nullable: true })
  traceparent!: string | null;

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'is_duplicate_event', type: 'boolean' })
  isDuplicateEvent!: boolean;

  @Column({ name: 'status', type: 'text' })
  status!: EventStatus;

  /** Bumped by replay; deliveries carry the generation they were routed in. */
  @Column({ name: 'generation', type: 'integer' })
  generation!: number;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz' })
  deletedAt!: Date | null;
}
