import {
  EndpointAuthentication,
  EndpointContentType,
  EndpointSecret,
  EndpointStatus,
  MtlsClientCert,
  SignatureFormat,
} from '@caravan/domain';
import { Column, CreateDateColumn, DeleteDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'endpoints' })
export class EndpointEntity {
  @PrimaryColumn({ name: 'id', type: 'text' })
  id!: string;

  @Column({ name: 'project_id', type: 'text' })
  projectId!: string;

  @Column({ name: 'owner_id', type: 'text', nullable: true })
  ownerId!: string | null;

  @Column({ name: 'name', type: 'text' })
  name!: string;

  @Column({ name: 'url', type: 'text' })
  url!: string;

  @Column({ name: 'description', type: 'text' })
  description!: string;

  @Column({ name: 'status', type: 'text' })
  status!: EndpointStatus;

  @Column({ name: 'secrets', type: 'jsonb' })
  secrets!: EndpointSecret[];

  @Column({ name: 'advanced_signatures', type: 'boolean' })
  advancedSignatures!: boolean;

  @Column({ name: 'signature_format', type: 'text' })
  signatureFormat!: SignatureFormat;

  /** Seconds. */
  @Column({ name: 'http_timeout', type: 'integer' })
  httpTimeout!: number;

  /** Requests per `rateLimitDuration`; 0 means unlimited. */
  @Column({ name: 'rate_limit', type: 'integer' })
  rateLimit!: number;

  /** Seconds. */
  @Column({ name: 'rate_limit_duration', type: 'integer' })
  rateLimitDuration!: number;

  /** How the event's JSON body is sent: as it is, or form-encoded. */
  @Column({ name: 'content_type', type: 'text' })
  contentType!: EndpointContentType;

  /** The client certificate presented to the endpoint (Convoy's mTLS). */
  @Column({ name: 'mtls_client_cert', type: 'jsonb', nullable: true })
  mtlsClientCert!: MtlsClientCert | null;

  @Column({ name: 'authentication', type: 'jsonb', nullable: true })
  authentication!: EndpointAuthentication | null;

  @Column({ name: 'support_email', type: 'text' })
  supportEmail!: string;

  @Column({ name: 'slack_webhook_url', type: 'text' })
  slackWebhookUrl!: string;

  /** The circuit breaker's last transition, written by the dispatcher that owns the endpoint. */
  @Column({ name: 'cb_state', type: 'text' })
  cbState!: 'closed' | 'open';

  @Column({ name: 'cb_state_changed_at', type: 'timestamptz', nullable: true })
  cbStateChangedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz' })
  deletedAt!: Date | null;
}
