import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { ProjectEntity } from '../entities/project.entity';
import { SourceEntity } from '../entities/source.entity';
import { Page, PageQuery, paginate } from '../pagination/cursor-pagination.helper';
import { NewRow, queryRows } from '../sql/sql-rows.helper';
import { SOURCE_TABLE } from '../sql/tables.sql';

export type NewSource = NewRow<SourceEntity, 'projectId' | 'name' | 'type' | 'maskId'>;

@Injectable()
export class SourcesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(source: NewSource): Promise<SourceEntity> {
    const manager = this.dataSource.manager;
    const [row] = await SOURCE_TABLE.insert(manager, [source], 'RETURNING *');
    return SOURCE_TABLE.fromRow(row);
  }

  /**
   * The live source behind an ingest URL. Not tenant-scoped on purpose: `/ingest/{maskId}`
   * carries no project; the source is what names it.
   */
  async findByMaskId(maskId: string): Promise<SourceEntity | null> {
    return this.dataSource.getRepository(SourceEntity).findOneBy({ maskId });
  }

  /** The project's sources among `ids` (deleted ones included: events keep naming them). */
  async findByIds(projectId: string, ids: readonly string[]): Promise<SourceEntity[]> {
    if (ids.length === 0) return [];
    return this.dataSource
      .getRepository(SourceEntity)
      .find({ where: { projectId, id: In([...ids]) }, withDeleted: true });
  }

  async findById(projectId: string, id: string): Promise<SourceEntity | null> {
    return this.dataSource.getRepository(SourceEntity).findOneBy({ projectId, id });
  }

  async list(projectId: string, page: PageQuery = {}): Promise<Page<SourceEntity>> {
    const qb = this.dataSource
      .getRepository(SourceEntity)
      .createQueryBuilder('src')
      .where('src.project_id = :projectId', { projectId });
    return paginate(qb, page);
  }

  /** A page of live sources, optionally of one type and/or provider (Convoy's list filters). */
  async listFiltered(
    projectId: string,
    filter: { type?: SourceEntity['type']; provider?: NonNullable<SourceEntity['provider']> },
    page: PageQuery = {},
  ): Promise<Page<SourceEntity>> {
    const qb = this.dataSource
      .getRepository(SourceEntity)
      .createQueryBuilder('src')
      .where('src.project_id = :projectId', { projectId });
    if (filter.type) {
      qb.andWhere('src.type = :type', { type: filter.type });
    }
    if (filter.provider) {
      qb.andWhere('src.provider = :provider', { provider: filter.provider });
    }
    return paginate(qb, page);
  }

  /** Changes a live source's columns; the updated row, or null when it does not exist. */
  async applyChanges(
    projectId: string,
    id: string,
    changes: Partial<Omit<SourceEntity, 'id' | 'projectId' | 'maskId' | 'createdAt' | 'updatedAt' | 'deletedAt'>>,
  ): Promise<SourceEntity | null> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(SourceEntity)
      .set({ ...changes, updatedAt: () => 'now()' })
      .where('project_id = :projectId AND id = :id AND deleted_at IS NULL', { projectId, id })
      .returning('*')
      .execute();
    const rows = result.raw as Record<string, unknown>[];
    return rows[0] ? SOURCE_TABLE.fromRow(rows[0]) : null;
  }

  /**
   * Soft-deletes a live source and, in the same transaction, the live subscriptions bound to
   * it (as Convoy does). False when there was none.
   */
  async softDeleteWithSubscriptions(projectId: string, id: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await queryRows(
        manager,
        `UPDATE sources SET deleted_at = now(), updated_at = now()
         WHERE project_id = $1 AND id = $2 AND deleted_at IS NULL
         RETURNING id`,
        [projectId, id],
      );
      if (rows.length === 0) {
        return false;
      }
      await queryRows(
        manager,
        `UPDATE subscriptions SET deleted_at = now(), updated_at = now()
         WHERE project_id = $1 AND source_id = $2 AND deleted_at IS NULL`,
        [projectId, id],
      );
      return true;
    });
  }
  /** Remembers an answered Twitter CRC challenge (Convoy's `provider_config.twitter.crc_verified_at`). */
  async recordCrcVerified(projectId: string, id: string): Promise<void> {
    await queryRows(
      this.dataSource.manager,
      `UPDATE sources
       SET provider_config = jsonb_set(COALESCE(provider_config, '{}'::jsonb), '{twitter}',
                                       jsonb_build_object('crc_verified_at', now()), true),
           updated_at = now()
       WHERE project_id = $1 AND id = $2`,
      [projectId, id],
    );
  }

  /**
   * Every enabled pub_sub source of a live project, across projects: what the ingester
   * consumes. Not tenant-scoped on purpose (the ingester serves every project), like
   * findByMaskId; each row names its project.
   */
  async listEnabledPubSub(): Promise<SourceEntity[]> {
    return this.dataSource
      .getRepository(SourceEntity)
      .createQueryBuilder('src')
      .innerJoin(ProjectEntity, 'p', 'p.id = src.project_id AND p.deleted_at IS NULL')
      .where('src.type = :type', { type: 'pub_sub' })
      .andWhere('src.is_disabled = false')
      .orderBy('src.id')
      .getMany();
  }

  /**
   * A cheap marker that changes whenever a pub_sub source is created, changed, disabled,
   * soft- or hard-deleted, or a project is changed or deleted (every such write bumps an
   * `updated_at`, and a hard delete lowers a count). The ingester polls it and reloads
   * the sources only when it moves.
   */
  async pubSubChangeMarker(): Promise<string> {
    const [row] = await queryRows(
      this.dataSource.manager,
      `SELECT (SELECT count(*) || ':' || COALESCE(max(updated_at)::text, '-')
                 FROM sources WHERE type = 'pub_sub') AS sources,
              (SELECT count(*) || ':' || COALESCE(max(updated_at)::text, '-')
                 FROM projects) AS projects`,
    );
    return `${String(row?.['sources'])}|${String(row?.['projects'])}`;
  }
}
