import { MetaEventStatus } from '@caravan/domain';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** What the meta-event URL answered last; enough for the API to show why it failed. */
export interface MetaEventLastResponse {
  http_status: number | null;
  headers: Record<string, string[]>;
  body: string;
  error: string | null;
}

@Entity({ name: 'meta_events' })
export class MetaEventEntity {
  @PrimaryColumn({ name: 'id', type: 'text' })
  id!: string;

  @Column({ name: 'project_id', type: 'text' })
  projectId!: string;

  /** A MetaEventType value. */
  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  /** The exact body bytes that are signed and sent. */
  @Column({ name: 'payload', type: 'bytea' })
  payload!: Buffer;

  @Column({ name: 'status', type: 'text' })
  status!: MetaEventStatus;

  @Column({ name: 'attempts', type: 'integer' })
  attempts!: number;

  @Column({ name: 'retry_limit', type: 'integer' })
  retryLimit!: number;

  @Column({ name: 'next_send_time', type: 'timestamptz' })
  nextSendTime!: Date;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  @Column({ name: 'last_response', type: 'jsonb', nullable: true })
  lastResponse!: MetaEventLastResponse | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
