import { CATCH_ALL_EVENT_TYPE } from '@caravan/domain';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SubscriptionEntity } from '../entities/subscription.entity';
import { Page, PageQuery, paginate } from '../pagination/cursor-pagination.helper';
import { containsPattern, NewRow, queryRows } from '../sql/sql-rows.helper';
import { SUBSCRIPTION_TABLE } from '../sql/tables.sql';

export type NewSubscription = NewRow<SubscriptionEntity, 'projectId' | 'name' | 'endpointId'>;

@Injectable()
export class SubscriptionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(subscription: NewSubscription): Promise<SubscriptionEntity> {
    const manager = this.dataSource.manager;
    const [row] = await SUBSCRIPTION_TABLE.insert(manager, [subscription], 'RETURNING *');
    return SUBSCRIPTION_TABLE.fromRow(row);
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
    return rows.map((row) => SUBSCRIPTION_TABLE.fromRow(row));
  }

  /**
   * Every live subscription of the given endpoints, whatever its event types, in one query
   * (the router's batch of direct events; it matches the event types itself).
   */
  async findLiveForEndpoints(
    endpoints: ReadonlyArray<{ projectId: string; id: string }>,
  ): Promise<SubscriptionEntity[]> {
    if (endpoints.length === 0) return [];
    const rows = await queryRows(
      this.dataSource.manager,
      `SELECT s.* FROM subscriptions s
       JOIN unnest($1::text[], $2::text[]) AS r(project_id, endpoint_id)
         ON s.project_id = r.project_id AND s.endpoint_id = r.endpoint_id
       WHERE s.deleted_at IS NULL
       ORDER BY s.id`,
      [endpoints.map((ref) => ref.projectId), endpoints.map((ref) => ref.id)],
    );
    return rows.map((row) => SUBSCRIPTION_TABLE.fromRow(row));
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

  /** Live subscriptions of a source whose event types include `eventType` or `*`. */
  async findForSource(projectId: string, sourceId: string, eventType: string): Promise<SubscriptionEntity[]> {
    const manager = this.dataSource.manager;
    const rows = await queryRows(
      manager,
      `SELECT * FROM subscriptions
       WHERE project_id = $1 AND source_id = $2 AND deleted_at IS NULL
         AND event_types && ARRAY[$3, $4]::text[]
       ORDER BY id`,
      [projectId, sourceId, eventType, CATCH_ALL_EVENT_TYPE],
    );
    return rows.map((row) => SUBSCRIPTION_TABLE.fromRow(row));
  }

  /**
   * Gives an endpoint without any live subscription a catch-all one (`event_types ['*']`),
   * as Convoy does for `POST /events`. Race-safe: a transaction-scoped advisory lock on the
   * endpoint serialises concurrent callers, so two routers never create two. Returns the
   * subscription it created, or null when the endpoint already had one.
   */
  async ensureCatchAll(projectId: string, endpointId: string): Promise<SubscriptionEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      await queryRows(manager, `SELECT pg_advisory_xact_lock(hashtextextended('subscriptions:' || $1, 0))`, [
        endpointId,
      ]);
      const existing = await queryRows(
        manager,
        `SELECT 1 FROM subscriptions WHERE project_id = $1 AND endpoint_id = $2 AND deleted_at IS NULL LIMIT 1`,
        [projectId, endpointId],
      );
      if (existing.length > 0) {
        return null;
      }
      const [row] = await SUBSCRIPTION_TABLE.insert(
        manager,
        [{ projectId, endpointId, name: `${endpointId}-catch-all`, eventTypes: [CATCH_ALL_EVENT_TYPE] }],
        'RETURNING *',
      );
      return SUBSCRIPTION_TABLE.fromRow(row);
    });
  }

  /** A page of live subscriptions: of `endpointIds` when given, whose name contains `name` when given. */
  async listMatching(
    projectId: string,
    filter: { endpointIds?: readonly string[]; name?: string },
    page: PageQuery = {},
  ): Promise<Page<SubscriptionEntity>> {
    const qb = this.dataSource
      .getRepository(SubscriptionEntity)
      .createQueryBuilder('s')
      .where('s.project_id = :projectId', { projectId });
    if (filter.endpointIds && filter.endpointIds.length > 0) {
      qb.andWhere('s.endpoint_id IN (:...endpointIds)', { endpointIds: [...filter.endpointIds] });
    }
    if (filter.name) {
      qb.andWhere(`s.name ILIKE :name ESCAPE '\\'`, { name: containsPattern(filter.name) });
    }
    return paginate(qb, page);
  }

  /** Changes a live subscription's columns; the updated row, or null when it does not exist. */
  async applyChanges(
    projectId: string,
    id: string,
    changes: Partial<Omit<SubscriptionEntity, 'id' | 'projectId' | 'createdAt' | 'updatedAt' | 'deletedAt'>>,
  ): Promise<SubscriptionEntity | null> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(SubscriptionEntity)
      .set({ ...changes, updatedAt: () => 'now()' })
      .where('project_id = :projectId AND id = :id AND deleted_at IS NULL', { projectId, id })
      .returning('*')
      .execute();
    const rows = result.raw as Record<string, unknown>[];
    return rows[0] ? SUBSCRIPTION_TABLE.fromRow(rows[0]) : null;
  }

  /** Soft-deletes a live subscription; false when there was none. */
  async softDelete(projectId: string, id: string): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource.manager,
      `UPDATE subscriptions SET deleted_at = now(), updated_at = now()
       WHERE project_id = $1 AND id = $2 AND deleted_at IS NULL
       RETURNING id`,
      [projectId, id],
    );
    return rows.length > 0;
  }
}
