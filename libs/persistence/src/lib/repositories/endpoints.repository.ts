import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { CATCH_ALL_EVENT_TYPE, EndpointSecret, newId } from '@caravan/domain';
import { EndpointEntity } from '../entities/endpoint.entity';
import { SubscriptionEntity } from '../entities/subscription.entity';
import { Page, PageQuery, paginate } from '../pagination/cursor-pagination.helper';
import { containsPattern, NewRow, queryRows } from '../sql/sql-rows.helper';
import { ENDPOINT_TABLE, SUBSCRIPTION_TABLE } from '../sql/tables.sql';
import type { NewSubscription } from './subscriptions.repository';
import { ENDPOINT } from '../sql/status-literals.sql';

export type NewEndpoint = NewRow<EndpointEntity, 'projectId' | 'name' | 'url'>;

export interface EndpointFilter {
  ownerId?: string;
  /** Case-insensitive substring of the name (Convoy's `q`). */
  q?: string;
  /** Only these endpoints (a portal link's); an empty list matches none. */
  ids?: readonly string[];
}

@Injectable()
export class EndpointsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(endpoint: NewEndpoint): Promise<EndpointEntity> {
    const manager = this.dataSource.manager;
    const [row] = await ENDPOINT_TABLE.insert(manager, [endpoint], 'RETURNING *');
    return ENDPOINT_TABLE.fromRow(row);
  }

  /**
   * The endpoint a dynamic event goes to: the project's live endpoint with `endpoint.url`, or
   * `endpoint` inserted, with a subscription for `eventTypes` (all when empty). An existing
   * endpoint without any live subscription gets one too. Serialised per (project, URL) by an
   * advisory lock, so two concurrent dynamic events never create two endpoints.
   */
  async ensureForUrl(
    endpoint: NewEndpoint,
    eventTypes: readonly string[],
  ): Promise<{ endpoint: EndpointEntity; created: boolean }> {
    const { projectId, url } = endpoint;
    return this.dataSource.transaction(async (manager) => {
      await queryRows(
        manager,
        `SELECT pg_advisory_xact_lock(hashtextextended('endpoints:url:' || $1 || ':' || $2, 0))`,
        [projectId, url],
      );
      const found = await queryRows(
        manager,
        `SELECT * FROM endpoints WHERE project_id = $1 AND url = $2 AND deleted_at IS NULL ORDER BY id LIMIT 1`,
        [projectId, url],
      );
      let target: EndpointEntity;
      let created = false;
      if (found[0]) {
        target = ENDPOINT_TABLE.fromRow(found[0]);
      } else {
        const [row] = await ENDPOINT_TABLE.insert(manager, [endpoint], 'RETURNING *');
        target = ENDPOINT_TABLE.fromRow(row);
        created = true;
      }
      // The router's ensureCatchAll takes the same lock before it adds a catch-all.
      await queryRows(manager, `SELECT pg_advisory_xact_lock(hashtextextended('subscriptions:' || $1, 0))`, [
        target.id,
      ]);
      const subscribed = await queryRows(
        manager,
        `SELECT 1 FROM subscriptions WHERE project_id = $1 AND endpoint_id = $2 AND deleted_at IS NULL LIMIT 1`,
        [projectId, target.id],
      );
      if (subscribed.length === 0) {
        await SUBSCRIPTION_TABLE.insert(
          manager,
          [
            {
              projectId,
              endpointId: target.id,
              name: `${target.name}-dynamic`,
              eventTypes: eventTypes.length > 0 ? [...eventTypes] : [CATCH_ALL_EVENT_TYPE],
            },
          ],
          'RETURNING id',
        );
      }
      return { endpoint: target, created };
    });
  }

  /**
   * Inserts endpoints, each with its subscriptions, all in one transaction: all of them or
   * none (bulk onboarding). Every row must be of `projectId`; one statement per table.
   */
  async insertWithSubscriptions(
    projectId: string,
    items: ReadonlyArray<{ endpoint: NewEndpoint; subscriptions: ReadonlyArray<Omit<NewSubscription, 'endpointId'>> }>,
  ): Promise<Array<{ endpoint: EndpointEntity; subscriptions: SubscriptionEntity[] }>> {
    if (
      items.some(
        (item) => item.endpoint.projectId !== projectId || item.subscriptions.some((s) => s.projectId !== projectId),
      )
    ) {
      throw new Error('insertWithSubscriptions: every row must belong to the project');
    }
    return this.dataSource.transaction(async (manager) => {
      const ids = items.map((item) => item.endpoint.id ?? newId());
      const endpointRows = await ENDPOINT_TABLE.insert(
        manager,
        items.map((item, index) => ({ ...item.endpoint, id: ids[index] })),
        'RETURNING *',
      );
      // RETURNING's order is not promised: line the rows up with the items by id.
      const byId = new Map(endpointRows.map((row) => [String(row['id']), ENDPOINT_TABLE.fromRow(row)]));
      const endpoints = ids.map((id) => byId.get(id) as EndpointEntity);
      const subscriptionRows = await SUBSCRIPTION_TABLE.insert(
        manager,
        items.flatMap((item, index) =>
          item.subscriptions.map((subscription) => ({ ...subscription, endpointId: endpoints[index].id })),
        ),
        'RETURNING *',
      );
      const subscriptions = subscriptionRows.map((row) => SUBSCRIPTION_TABLE.fromRow(row));
      return endpoints.map((endpoint) => ({
        endpoint,
        subscriptions: subscriptions.filter((subscription) => subscription.endpointId === endpoint.id),
      }));
    });
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
    return this.dataSource.getRepository(EndpointEntity).find({ where: { projectId, ownerId }, order: { id: 'ASC' } });
  }

  async list(projectId: string, filter: EndpointFilter = {}, page: PageQuery = {}): Promise<Page<EndpointEntity>> {
    const qb = this.dataSource
      .getRepository(EndpointEntity)
      .createQueryBuilder('ep')
      .where('ep.project_id = :projectId', { projectId });
    if (filter.ownerId) {
      qb.andWhere('ep.owner_id = :ownerId', { ownerId: filter.ownerId });
    }
    if (filter.ids) {
      qb.andWhere(filter.ids.length > 0 ? 'ep.id IN (:...ids)' : 'false', { ids: filter.ids });
    }
    if (filter.q) {
      qb.andWhere(`ep.name ILIKE :q ESCAPE '\\'`, { q: containsPattern(filter.q) });
    }
    return paginate(qb, page);
  }

  /** Live endpoints named by (project, id) pairs, in one query. */
  async findByRefs(refs: ReadonlyArray<{ projectId: string; id: string }>): Promise<EndpointEntity[]> {
    if (refs.length === 0) {
      return [];
    }
    const manager = this.dataSource.manager;
    const rows = await queryRows(
      manager,
      `SELECT e.* FROM endpoints e
       JOIN unnest($1::text[], $2::text[]) AS r(project_id, id) ON e.project_id = r.project_id AND e.id = r.id
       WHERE e.deleted_at IS NULL`,
      [refs.map((ref) => ref.projectId), refs.map((ref) => ref.id)],
    );
    return rows.map((row) => ENDPOINT_TABLE.fromRow(row));
  }

  /**
   * Sets a live endpoint `inactive` (410 Gone, a breaker that keeps tripping). Returns the
   * updated row, or null when it was already inactive or is gone, so exactly one caller
   * announces the change.
   */
  async deactivate(projectId: string, id: string): Promise<EndpointEntity | null> {
    const manager = this.dataSource.manager;
    const rows = await queryRows(
      manager,
      `UPDATE endpoints SET status = ${ENDPOINT.Inactive}, updated_at = now()
       WHERE project_id = $1 AND id = $2 AND status <> ${ENDPOINT.Inactive} AND deleted_at IS NULL
       RETURNING *`,
      [projectId, id],
    );
    return rows[0] ? ENDPOINT_TABLE.fromRow(rows[0]) : null;
  }

  /**
   * Records circuit-breaker transitions, one statement for a batch (the last change per
   * endpoint wins). Not tenant-scoped: the dispatcher owns endpoints across projects and
   * only ever passes ids it loaded itself.
   */
  async recordBreakerStates(changes: ReadonlyArray<{ endpointId: string; state: 'open' | 'closed' }>): Promise<void> {
    const latest = new Map(changes.map((change) => [change.endpointId, change.state]));
    if (latest.size === 0) return;
    await this.dataSource.query(
      `UPDATE endpoints e SET cb_state = c.state, cb_state_changed_at = now()
       FROM unnest($1::text[], $2::text[]) AS c(id, state)
       WHERE e.id = c.id AND e.cb_state <> c.state`,
      [[...latest.keys()], [...latest.values()]],
    );
  }

  /** Changes a live endpoint's columns; the updated row, or null when it does not exist (or is deleted). */
  async applyChanges(
    projectId: string,
    id: string,
    changes: Partial<Omit<EndpointEntity, 'id' | 'projectId' | 'createdAt' | 'updatedAt' | 'deletedAt'>>,
  ): Promise<EndpointEntity | null> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(EndpointEntity)
      .set({ ...changes, updatedAt: () => 'now()' })
      .where('project_id = :projectId AND id = :id AND deleted_at IS NULL', { projectId, id })
      .returning('*')
      .execute();
    const rows = result.raw as Record<string, unknown>[];
    return rows[0] ? ENDPOINT_TABLE.fromRow(rows[0]) : null;
  }

  /**
   * Secret rotation in one statement: every live secret without an expiry gets `expiresAt`,
   * secrets already expired are dropped, and `secret` is appended (it signs from now). Null
   * when the endpoint does not exist.
   */
  async rotateSecret(
    projectId: string,
    id: string,
    secret: EndpointSecret,
    expiresAt: string,
  ): Promise<EndpointEntity | null> {
    const manager = this.dataSource.manager;
    const rows = await queryRows(
      manager,
      `UPDATE endpoints SET
         secrets = COALESCE((
           SELECT jsonb_agg(
                    CASE WHEN s->>'expires_at' IS NULL THEN jsonb_set(s, '{expires_at}', to_jsonb($3::text)) ELSE s END
                    ORDER BY ordinality)
           FROM jsonb_array_elements(secrets) WITH ORDINALITY AS t(s, ordinality)
           WHERE s->>'expires_at' IS NULL OR (s->>'expires_at')::timestamptz > now()
         ), '[]'::jsonb) || jsonb_build_array($4::jsonb),
         updated_at = now()
       WHERE project_id = $1 AND id = $2 AND deleted_at IS NULL
       RETURNING *`,
      [projectId, id, expiresAt, JSON.stringify(secret)],
    );
    return rows[0] ? ENDPOINT_TABLE.fromRow(rows[0]) : null;
  }

  /**
   * Moves a live endpoint to `to` when its status is one of `from`, atomically. The updated
   * row, or null when it does not exist or was in another status.
   */
  async transitionStatus(
    projectId: string,
    id: string,
    from: readonly EndpointEntity['status'][],
    to: EndpointEntity['status'],
  ): Promise<EndpointEntity | null> {
    const manager = this.dataSource.manager;
    const rows = await queryRows(
      manager,
      `UPDATE endpoints SET status = $4, updated_at = now()
       WHERE project_id = $1 AND id = $2 AND deleted_at IS NULL AND status = ANY($3::text[])
       RETURNING *`,
      [projectId, id, [...from], to],
    );
    return rows[0] ? ENDPOINT_TABLE.fromRow(rows[0]) : null;
  }

  /**
   * Soft-deletes a live endpoint and, in the same transaction, its live subscriptions (they
   * could never deliver again). The deleted row, or null when there was none.
   */
  async softDeleteWithSubscriptions(projectId: string, id: string): Promise<EndpointEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await queryRows(
        manager,
        `UPDATE endpoints SET deleted_at = now(), updated_at = now()
         WHERE project_id = $1 AND id = $2 AND deleted_at IS NULL
         RETURNING *`,
        [projectId, id],
      );
      if (!rows[0]) {
        return null;
      }
      await queryRows(
        manager,
        `UPDATE subscriptions SET deleted_at = now(), updated_at = now()
         WHERE project_id = $1 AND endpoint_id = $2 AND deleted_at IS NULL`,
        [projectId, id],
      );
      return ENDPOINT_TABLE.fromRow(rows[0]);
    });
  }
}
