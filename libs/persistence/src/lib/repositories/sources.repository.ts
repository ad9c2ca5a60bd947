import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SourceEntity } from '../entities/source.entity';
import { Page, PageQuery, paginate } from '../pagination/cursor-pagination.helper';
import { hydrate, insertRows, NewRow } from '../sql/sql-rows.helper';

export type NewSource = NewRow<SourceEntity, 'projectId' | 'name' | 'type' | 'maskId'>;

@Injectable()
export class SourcesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(source: NewSource): Promise<SourceEntity> {
    const manager = this.dataSource.manager;
    const [row] = await insertRows(manager, SourceEntity, [source], 'RETURNING *');
    return hydrate(manager, SourceEntity, row);
  }

  /**
   * The live source behind an ingest URL. Not tenant-scoped on purpose: `/ingest/{maskId}`
   * carries no project; the source is what names it.
   */
  async findByMaskId(maskId: string): Promise<SourceEntity | null> {
    return this.dataSource.getRepository(SourceEntity).findOneBy({ maskId });
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
}
