import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { EndpointEntity } from '../entities/endpoint.entity';
import { Page, PageQuery, paginate } from '../pagination/cursor-pagination.helper';
import { hydrate, insertRows, NewRow } from '../sql/sql-rows.helper';

export type NewEndpoint = NewRow<EndpointEntity, 'projectId' | 'name' | 'url'>;

export interface EndpointFilter {
  ownerId?: string;
  /** Case-insensitive substring of the name (Convoy's `q`). */
  q?: string;
}

@Injectable()
export class EndpointsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(endpoint: NewEndpoint): Promise<EndpointEntity> {
    const manager = this.dataSource.manager;
    const [row] = await insertRows(manager, EndpointEntity, [endpoint], 'RETURNING *');
    return hydrate(manager, EndpointEntity, row);
  }

  async findById(projectId: string, id: string): Promise<EndpointEntity | null> {
    return this.dataSource.getRepository(EndpointEntity).findOneBy({ projectId, id });
  }

  async findByIds(projectId: string, ids: readonly string[]): Promise<EndpointEntity[]> {
    if (ids.length === 0) {
      return [];
    }
    return this.dataSource.getRepository(EndpointEntity).findBy({ projectId, id: In([...ids]) });
  }

  async findByOwner(projectId: string, ownerId: string): Promise<EndpointEntity[]> {
    return this.dataSource
      .getRepository(EndpointEntity)
      .find({ where: { projectId, ownerId }, order: { id: 'ASC' } });
  }

  async list(projectId: string, filter: EndpointFilter = {}, page: PageQuery = {}): Promise<Page<EndpointEntity>> {
    const qb = this.dataSource
      .getRepository(EndpointEntity)
      .createQueryBuilder('ep')
      .where('ep.project_id = :projectId', { projectId });
    if (filter.ownerId) {
      qb.andWhere('ep.owner_id = :ownerId', { ownerId: filter.ownerId });
    }
    if (filter.q) {
      qb.andWhere(`ep.name ILIKE :q ESCAPE '\\'`, { q: `%${filter.q.replace(/[\\%_]/g, '\\$&')}%` });
    }
    return paginate(qb, page);
  }
}
