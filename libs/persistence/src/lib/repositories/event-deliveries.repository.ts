import { DeliveryStatus } from '@caravan/domain';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { EventDeliveryEntity } from '../entities/event-delivery.entity';
import { Page, PageQuery, paginate } from '../pagination/cursor-pagination.helper';
import { hydrate, insertRows, NewRow, queryRows, SqlRow } from '../sql/sql-rows.helper';

export type NewEventDelivery = NewRow<
  EventDeliveryEntity,
  | 'projectId'
  | 'eventId'
  | 'endpointId'
  | 'subscriptionId'
  | 'eventType'
  | 'retryLimit'
  | 'strategy'
  | 'intervalSeconds'
>;

/** Enough to ring a delivery's doorbell without reading the row again. */
export interface DeliveryRef {
  id: string;
  projectId: string;
  endpointId: string;
}

export interface EventDeliveryFilter {
  endpointIds?: string[];
  eventId?: string;
  subscriptionId?: string;
  eventType?: string;
  idempotencyKey?: string;
  statuses?: DeliveryStatus[];
  createdFrom?: Date;
  createdTo?: Date;
}

const CLAIMABLE = `status IN ('Scheduled','Retry')`;

@Injectable()
export class EventDeliveriesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts a batch in one statement per chunk. Re-routing the same event (a redelivered
   * doorbell) hits the (event, subscription, generation) key and inserts nothing; only the
   * ids actually inserted come back.
   */
  async insertScheduled(
    rows: readonly NewEventDelivery[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<string[]> {
    const inserted = await insertRows(
      manager,
      EventDeliveryEntity,
      rows,
      'ON CONFLICT (event_id, subscription_id, generation) DO NOTHING RETURNING id',
    );
    return inserted.map((row) => String(row['id']));
  }

  /**
   * Claims the given deliveries that are due, in one statement: Scheduled/Retry rows whose
   * next_send_time has come become Processing with a lease. Returns only the rows this call
   * claimed; a row claimed concurrently by another sender is not returned (the locking CTE
   * re-checks the status after waiting). Rows are locked in id order so two claimers with
   * overlapping batches cannot deadlock.
   */
  async claimDue(ids: readonly string[], leaseSeconds: number): Promise<EventDeliveryEntity[]> {
    if (ids.length === 0) {
      return [];
    }
    const manager = this.dataSource.manager;
    const rows = await queryRows(
      manager,
      `WITH claimable AS (
         SELECT id FROM event_deliveries
         WHERE id = ANY($1::text[]) AND ${CLAIMABLE} AND next_send_time <= now() AND deleted_at IS NULL
         ORDER BY id
         FOR UPDATE
       )
       UPDATE event_deliveries d
       SET status = 'Processing', lease_until = now() + $2::int * interval '1 second', updated_at = now()
       FROM claimable c
       WHERE d.id = c.id
       RETURNING d.*`,
      [ids, leaseSeconds],
    );
    return rows.map((row) => hydrate(manager, EventDeliveryEntity, row));
  }

  /**
   * Due deliveries for the scheduler, oldest first, locked with SKIP LOCKED so concurrent
   * schedulers take disjoint rows. The locks last as long as `manager`'s transaction: call it
   * inside one (or use `withDueIds`) and ring the doorbells before committing.
   * `minWaitSeconds` skips rows that only just became due (their doorbell is likely in flight).
   */
  async findDueIds(
    limit: number,
    options: { manager?: EntityManager; minWaitSeconds?: number } = {},
  ): Promise<DeliveryRef[]> {
    const rows = await queryRows(
      options.manager ?? this.dataSource.manager,
      `SELECT id, project_id, endpoint_id FROM event_deliveries
       WHERE ${CLAIMABLE} AND next_send_time <= now() - $2::int * interval '1 second' AND deleted_at IS NULL
       ORDER BY next_send_time
       LIMIT $1
       FOR UPDATE SKIP LOCKED`,
      [limit, options.minWaitSeconds ?? 0],
    );
    return rows.map(toRef);
  }

  /** Runs `work` on a batch of due deliveries while holding their row locks. */
  async withDueIds<T>(
    limit: number,
    work: (due: DeliveryRef[]) => Promise<T>,
    minWaitSeconds = 0,
  ): Promise<T> {
    return this.dataSource.transaction(async (manager) =>
      work(await this.findDueIds(limit, { manager, minWaitSeconds })),
    );
  }

  /**
   * Processing rows whose lease expired (their sender died) go back to Scheduled (never
   * attempted) or Retry, due now. Returns them so the scheduler can ring their doorbells.
   */
  async releaseExpiredLeases(limit: number): Promise<DeliveryRef[]> {
    const rows = await queryRows(
      this.dataSource.manager,
      `WITH expired AS (
         SELECT id FROM event_deliveries
         WHERE status = 'Processing' AND lease_until < now()
         ORDER BY lease_until
         LIMIT $1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE event_deliveries d
       SET status = CASE WHEN d.attempts = 0 THEN 'Scheduled' ELSE 'Retry' END,
           lease_until = NULL, next_send_time = now(), updated_at = now()
       FROM expired e
       WHERE d.id = e.id
       RETURNING d.id, d.project_id, d.endpoint_id`,
      [limit],
    );
    return rows.map(toRef);
  }

  async findById(projectId: string, id: string): Promise<EventDeliveryEntity | null> {
    return this.dataSource.getRepository(EventDeliveryEntity).findOneBy({ projectId, id });
  }

  async list(
    projectId: string,
    filter: EventDeliveryFilter = {},
    page: PageQuery = {},
  ): Promise<Page<EventDeliveryEntity>> {
    const qb = this.dataSource
      .getRepository(EventDeliveryEntity)
      .createQueryBuilder('d')
      .where('d.project_id = :projectId', { projectId });
    if (filter.endpointIds?.length) {
      qb.andWhere('d.endpoint_id IN (:...endpointIds)', { endpointIds: filter.endpointIds });
    }
    if (filter.statuses?.length) {
      qb.andWhere('d.status IN (:...statuses)', { statuses: filter.statuses });
    }
    if (filter.eventId) {
      qb.andWhere('d.event_id = :eventId', { eventId: filter.eventId });
    }
    if (filter.subscriptionId) {
      qb.andWhere('d.subscription_id = :subscriptionId', { subscriptionId: filter.subscriptionId });
    }
    if (filter.eventType) {
      qb.andWhere('d.event_type = :eventType', { eventType: filter.eventType });
    }
    if (filter.idempotencyKey) {
      qb.andWhere('d.idempotency_key = :idempotencyKey', { idempotencyKey: filter.idempotencyKey });
    }
    if (filter.createdFrom) {
      qb.andWhere('d.created_at >= :createdFrom', { createdFrom: filter.createdFrom });
    }
    if (filter.createdTo) {
      qb.andWhere('d.created_at <= :createdTo', { createdTo: filter.createdTo });
    }
    return paginate(qb, page);
  }
}

function toRef(row: SqlRow): DeliveryRef {
  return {
    id: String(row['id']),
    projectId: String(row['project_id']),
    endpointId: String(row['endpoint_id']),
  };
}
