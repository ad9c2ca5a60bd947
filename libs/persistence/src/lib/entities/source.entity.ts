import { CustomResponse, PubSubConfig, SourceProvider, SourceType, VerifierConfig } from '@caravan/domain';
import { Column, CreateDateColumn, DeleteDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'sources' })
export class SourceEntity {
  @PrimaryColumn({ name: 'id', type: 'text' })
  id!: string;

  @Column({ name: 'project_id', type: 'text' })
  projectId!: string;

  @Column({ name: 'name', type: 'text' })
  name!: string;

  @Column({ name: 'type', type: 'text' })
  type!: SourceType;

  @Column({ name: 'provider', type: 'text', nullable: true })
  provider!: SourceProvider | null;

  /** Public id in the ingest URL `/ingest/{maskId}`. */
  @Column({ name: 'mask_id', type: 'text' })
  maskId!: string;

  @Column({ name: 'verifier', type: 'jsonb' })
  verifier!: VerifierConfig;

  @Column({ name: 'custom_response', type: 'jsonb', nullable: true })
  customResponse!: CustomResponse | null;

  @Column({ name: 'idempotency_keys', type: 'text', array: true })
  idempotencyKeys!: string[];

  /** Where an ingested request carries its event type (Convoy's syntax); null: the mask id. */
  @Column({ name: 'event_type_location', type: 'text', nullable: true })
  eventTypeLocation!: string | null;

  @Column({ name: 'forward_headers', type: 'text', array: true })
  forwardHeaders!: string[];

  @Column({ name: 'pub_sub', type: 'jsonb', nullable: true })
  pubSub!: PubSubConfig | null;

  @Column({ name: 'body_function', type: 'text', nullable: true })
  bodyFunction!: string | null;

  @Column({ name: 'header_function', type: 'text', nullable: true })
  headerFunction!: string | null;

  @Column({ name: 'is_disabled', type: 'boolean' })
  isDisabled!: boolean;

  @Column({ name: 'provider_config', type: 'jsonb', nullable: true })
  providerConfig!: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz' })
  deletedAt!: Date | null;
}
