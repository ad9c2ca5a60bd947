import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiKeyEntity } from '../entities/api-key.entity';
import { NewRow, queryRows } from '../sql/sql-rows.helper';
import { API_KEY_TABLE } from '../sql/tables.sql';

export type NewApiKey = NewRow<ApiKeyEntity, 'projectId' | 'name' | 'maskId' | 'keyHash'>;

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(key: NewApiKey): Promise<ApiKeyEntity> {
    const manager = this.dataSource.manager;
    const [row] = await API_KEY_TABLE.insert(manager, [key], 'RETURNING *');
    return API_KEY_TABLE.fromRow(row);
  }

  /**
   * The key behind a mask, if it is usable: not revoked, not expired, and its project not
   * deleted. Not tenant-scoped on purpose: authentication is what finds the tenant.
   * The caller compares the secret's hash (in constant time).
   */
  async findActiveByMask(maskId: string): Promise<ApiKeyEntity | null> {
    const manager = this.dataSource.manager;
    const rows = await queryRows(
      manager,
      `SELECT k.* FROM api_keys k
       JOIN projects p ON p.id = k.project_id AND p.deleted_at IS NULL
       WHERE k.mask_id = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`,
      [maskId],
    );
    return rows[0] ? API_KEY_TABLE.fromRow(rows[0]) : null;
  }

  /** A project's keys, revoked ones included (listings show them masked). */
  async listForProject(projectId: string): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({ where: { projectId }, order: { id: 'ASC' } });
  }

  async revoke(projectId: string, id: string): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource.manager,
      `UPDATE api_keys SET revoked_at = now(), updated_at = now()
       WHERE project_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING id`,
      [projectId, id],
    );
    return rows.length > 0;
  }
}
