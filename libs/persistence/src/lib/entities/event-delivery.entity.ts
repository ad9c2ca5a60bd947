import { DeliveryStatus, RetryStrategyType } from '@caravan/domain';
import { Column, CreateDateColumn, DeleteDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'event_deliveries' })
export class EventDeliveryEntity {
  @PrimaryColumn({ name: 'id', type: 'text' })
  id!: string;

  @Column({ name: 'project_id', type: 'text' })
  projectId!: string;

  @Column({ name: 'event_id', type: 'text' })
  eventId!: string;

  @Column({ name: 'endpoint_id', type: 'text' })
  endpointId!: string;

  @Column({ name: 'subscription_id', type: 'text' })
  subscriptionId!: string;

  @Column({ name: 'source_id', type: 'text', nullable: true })
  sourceId!: string | null;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;

  /** The event generation this delivery was routed in (replay bumps it). */
  @Column({ name: 'generation', type: 'integer' })
  generation!: number;

  @Column({ name: 'status', type: 'text' })
  status!: DeliveryStatus;

  @Column({ name: 'description', type: 'text' })
  description!: string;

  @Column({ name: 'headers', type: 'jsonb' })
  headers!: Record<string, string[]>;

  @Column({ name: 'url_query_params', type: 'text' })
  urlQueryParams!: string;

  /**
   * W3C trace context of the routing that created it: every attempt, the first or a retry
   * hours later, is a child span of it. Null when tracing is off.
   */
  @Column({ name: 'traceparent', type: 'text', nullable: true })
  traceparent!: string | null;

  /** Attempts made so far (Convoy's `num_trials`). */
  @Column({ name: 'attempts', type: 'integer' })
  attempts!: number;

  /** Attempts allowed in all, the first included. */
  @Column({ name: 'retry_limit', type: 'integer' })
  retryLimit!: number;

  @Column({ name: 'strategy', type: 'text' })
  strategy!: RetryStrategyType;

  @Column({ name: 'interval_seconds', type: 'integer' })
  intervalSeconds!: number;

  @Column({ name: 'next_send_time', type: 'timestamptz' })
  nextSendTime!: Date;

  /** Set while Processing: a sender owns the row until then. */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  /** From acceptance of the event to the first successful attempt. */
  @Column({ name: 'latency_ms', type: 'integer', nullable: true })
  latencyMs!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz' })
  deletedAt!: Date | null;
}
