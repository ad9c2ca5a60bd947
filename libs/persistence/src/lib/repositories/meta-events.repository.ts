import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MetaEventEntity } from '../entities/meta-event.entity';
import { Page, PageQuery, paginate } from '../pagination/cursor-pagination.helper';
import { hydrate, insertRows, NewRow, queryRows } from '../sql/sql-rows.helper';

export type NewMetaEvent = NewRow<MetaEventEntity, 'projectId' | 'eventType' | 'payload' | 'retryLimit'>;

@Injectable()
export class MetaEventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(metaEvent: NewMetaEvent): Promise<MetaEventEntity> {
    const manager = this.dataSource.manager;
    const [row] = await insertRows(manager, MetaEventEntity, [metaEvent], 'RETURNING *');
    return hydrate(manager, MetaEventEntity, row);
  }

  /** Same contract as EventDeliveriesRepository.claimDue: one statement, only rows this call claimed. */
  async claimDue(ids: readonly string[], leaseSeconds: number): Promise<MetaEventEntity[]> {
    if (ids.length === 0) {
      return [];
    }
    const manager = this.dataSource.manager;
    const rows = await queryRows(
      manager,
      `WITH claimable AS (
         SELECT id FROM meta_events
         WHERE id = ANY($1::text[]) AND status IN ('Scheduled','Retry') AND next_send_time <= now()
         ORDER BY id
         FOR UPDATE
       )
       UPDATE meta_events m
       SET status = 'Processing', lease_until = now() + $2::int * interval '1 second', updated_at = now()
       FROM claimable c
       WHERE m.id = c.id
       RETURNING m.*`,
      [ids, leaseSeconds],
    );
    return rows.map((row) => hydrate(manager, MetaEventEntity, row));
  }

  async findById(projectId: string, id: string): Promise<MetaEventEntity | null> {
    return this.dataSource.getRepository(MetaEventEntity).findOneBy({ projectId, id });
  }

  async list(projectId: string, page: PageQuery = {}): Promise<Page<MetaEventEntity>> {
    const qb = this.dataSource
      .getRepository(MetaEventEntity)
      .createQueryBuilder('m')
      .where('m.project_id = :projectId', { projectId });
    return paginate(qb, page);
  }
}
