import { Column, CreateDateColumn, DeleteDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A customer's portal: the endpoints of `ownerId` plus `endpointIds`, reached with a bearer
 * token of which only a SHA-256 is stored (the token is high-entropy random).
 */
@Entity({ name: 'portal_links' })
export class PortalLinkEntity {
  @PrimaryColumn({ name: 'id', type: 'text' })
  id!: string;

  @Column({ name: 'project_id', type: 'text' })
  projectId!: string;

  @Column({ name: 'name', type: 'text' })
  name!: string;

  @Column({ name: 'owner_id', type: 'text', nullable: true })
  ownerId!: string | null;

  @Column({ name: 'endpoint_ids', type: 'text', array: true })
  endpointIds!: string[];

  @Column({ name: 'can_manage_endpoint', type: 'boolean' })
  canManageEndpoint!: boolean;

  @Column({ name: 'auth_type', type: 'text' })
  authType!: 'static_token' | 'refresh_token';

  /** Lower-case hex SHA-256 of the token. */
  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz' })
  deletedAt!: Date | null;
}
