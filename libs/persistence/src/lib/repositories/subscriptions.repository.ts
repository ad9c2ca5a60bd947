import { CATCH_ALL_EVENT_TYPE } from '@caravan/domain';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SubscriptionEntity } from '../entities/subscription.entity';
import { Page, PageQuery, paginate } from '../pagination/cursor-pagination.helper';
import { hydrate, insertRows, NewRow, queryRows } from '../sql/sql-rows.helper';

export type NewSubscription = NewRow<SubscriptionEntity, 'projectId' | 'name' | 'endpointId'>;

@Injectable()
export class SubscriptionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(subscription: NewSubscription): Promise<SubscriptionEntity> {
    const manager = this.dataSource.manager;
    const [row] = await insertRows(manager, SubscriptionEntity, [subscription], 'RETURNING *');
    return hydrate(manager, SubscriptionEntity, row);
  }

  async findById(projectId: string, id: string): Promise<SubscriptionEntity | null> {
    return this.dataSource.getRepository(SubscriptionEntity).findOneBy({ projectId, id });
  }

  /**
   * Live subscriptions whose event types include `eventType` or `*` (the GIN index answers
   * the `&&`), optionally only those of some endpoints (direct and fan-out routing). Body and
   * header filters are the router's to apply.
   */
  async findForEventType(
    projectId: string,
    eventType: string,
    endpointIds?: readonly string[],
  ): Promise<SubscriptionEntity[]> {
    const manager = this.dataSource.manager;
    const rows = await queryRows(
      manager,
      `SELECT * FROM subscriptions
       WHERE project_id = $1 AND deleted_at IS NULL
         AND event_types && ARRAY[$2, $3]::text[]
         AND ($4::text[] IS NULL OR endpoint_id = ANY($4::text[]))
       ORDER BY id`,
      [projectId, eventType, CATCH_ALL_EVENT_TYPE, endpointIds ? [...endpointIds] : null],
    );
    return rows.map((row) => hydrate(manager, SubscriptionEntity, row));
  }

  async findByEndpoint(projectId: string, endpointId: string): Promise<SubscriptionEntity[]> {
    return this.dataSource
      .getRepository(SubscriptionEntity)
      .find({ where: { projectId, endpointId }, order: { id: 'ASC' } });
  }

  async list(projectId: string, page: PageQuery = {}): Promise<Page<SubscriptionEntity>> {
    const qb = this.dataSource
      .getRepository(SubscriptionEntity)
      .createQueryBuilder('s')
      .where('s.project_id = :projectId', { projectId });
    return paginate(qb, page);
  }
}
