import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'delivery_attempts' })
export class DeliveryAttemptEntity {
  @PrimaryColumn({ name: 'id', type: 'text' })
  id!: string;

  @Column({ name: 'project_id', type: 'text' })
  projectId!: string;

  @Column({ name: 'event_delivery_id', type: 'text' })
  eventDeliveryId!: string;

  @Column({ name: 'endpoint_id', type: 'text' })
  endpointId!: string;

  @Column({ name: 'url', type: 'text' })
  url!: string;

  @Column({ name: 'method', type: 'text' })
  method!: string;

  @Column({ name: 'ip_address', type: 'text' })
  ipAddress!: string;

  @Column({ name: 'request_http_header', type: 'jsonb' })
  requestHttpHeader!: Record<string, string[]>;

  @Column({ name: 'response_http_header', type: 'jsonb' })
  responseHttpHeader!: Record<string, string[]>;

  /** Null when no response came back (network error, timeout). */
  @Column({ name: 'http_status', type: 'integer', nullable: true })
  httpStatus!: number | null;

  /** Response body, capped by the caller. */
  @Column({ name: 'response_data', type: 'text' })
  responseData!: string;

  @Column({ name: 'error', type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'success', type: 'boolean' })
  success!: boolean;

  @Column({ name: 'latency_ms', type: 'integer' })
  latencyMs!: number;

  /** The trace the attempt's HTTP span belongs to (shown as `trace_id`); null when tracing is off. */
  @Column({ name: 'trace_id', type: 'text', nullable: true })
  traceId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
