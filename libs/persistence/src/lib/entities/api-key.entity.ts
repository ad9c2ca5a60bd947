import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A project API key `CO.<maskId>.<secret>`. Only the SHA-256 of the secret part is stored:
 * the secret is high-entropy random, so a fast hash is enough and a slow KDF would only cost
 * latency on every request.
 */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn({ name: 'id', type: 'text' })
  id!: string;

  @Column({ name: 'project_id', type: 'text' })
  projectId!: string;

  @Column({ name: 'name', type: 'text' })
  name!: string;

  /** The 16-character middle part of the key; finds the row. */
  @Column({ name: 'mask_id', type: 'text' })
  maskId!: string;

  /** Lower-case hex SHA-256 of the secret part. */
  @Column({ name: 'key_hash', type: 'text' })
  keyHash!: string;

  @Column({ name: 'role', type: 'text' })
  role!: string;

  @Column({ name: 'key_type', type: 'text' })
  keyType!: string;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
