import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PortalLinkEntity } from '../entities/portal-link.entity';
import { Page, PageQuery, paginate } from '../pagination/cursor-pagination.helper';
import { NewRow, queryRows } from '../sql/sql-rows.helper';
import { PORTAL_LINK_TABLE } from '../sql/tables.sql';

export type NewPortalLink = NewRow<PortalLinkEntity, 'projectId' | 'name' | 'tokenHash'>;

export type PortalLinkChanges = Partial<
  Pick<PortalLinkEntity, 'name' | 'ownerId' | 'endpointIds' | 'canManageEndpoint' | 'authType'>
>;

@Injectable()
export class PortalLinksRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(link: NewPortalLink): Promise<PortalLinkEntity> {
    const manager = this.dataSource.manager;
    const [row] = await PORTAL_LINK_TABLE.insert(manager, [link], 'RETURNING *');
    return PORTAL_LINK_TABLE.fromRow(row);
  }

  async findById(projectId: string, id: string): Promise<PortalLinkEntity | null> {
    return this.dataSource.getRepository(PortalLinkEntity).findOneBy({ projectId, id });
  }

  /**
   * The live link behind a token hash, in a live project. Not tenant-scoped on purpose: the
   * token is what finds the tenant (as an API key's mask does).
   */
  async findActiveByTokenHash(tokenHash: string): Promise<PortalLinkEntity | null> {
    const manager = this.dataSource.manager;
    const rows = await queryRows(
      manager,
      `SELECT l.* FROM portal_links l
       JOIN projects p ON p.id = l.project_id AND p.deleted_at IS NULL
       WHERE l.token_hash = $1 AND l.deleted_at IS NULL`,
      [tokenHash],
    );
    return rows[0] ? PORTAL_LINK_TABLE.fromRow(rows[0]) : null;
  }

  async list(
    projectId: string,
    filter: { ownerId?: string; q?: string },
    page: PageQuery,
  ): Promise<Page<PortalLinkEntity>> {
    const qb = this.dataSource
      .getRepository(PortalLinkEntity)
      .createQueryBuilder('l')
      .where('l.project_id = :projectId', { projectId });
    if (filter.ownerId) qb.andWhere('l.owner_id = :ownerId', { ownerId: filter.ownerId });
    if (filter.q) {
      qb.andWhere(`l.name ILIKE :q ESCAPE '\\'`, { q: `%${filter.q.replace(/[\\%_]/g, '\\$&')}%` });
    }
    return paginate(qb, page);
  }

  async update(projectId: string, id: string, changes: PortalLinkChanges): Promise<PortalLinkEntity | null> {
    const repository = this.dataSource.getRepository(PortalLinkEntity);
    if (Object.keys(changes).length > 0) await repository.update({ projectId, id }, changes);
    return repository.findOneBy({ projectId, id });
  }

  /** A new token replaces the old one at once: the old URL stops working. */
  async replaceToken(projectId: string, id: string, tokenHash: string): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource.manager,
      `UPDATE portal_links SET token_hash = $3, updated_at = now()
       WHERE project_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING id`,
      [projectId, id, tokenHash],
    );
    return rows.length > 0;
  }

  async revoke(projectId: string, id: string): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource.manager,
      `UPDATE portal_links SET deleted_at = now(), updated_at = now()
       WHERE project_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING id`,
      [projectId, id],
    );
    return rows.length > 0;
  }
}
