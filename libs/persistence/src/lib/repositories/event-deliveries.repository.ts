import { traceStatement } from '@caravan/observability';
import { DeliveryStatus, newId } from '@caravan/domain';
import { Injectable } from '@nestjs/common';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { EventDeliveryEntity } from '../entities/event-delivery.entity';
import { Page, PageQuery, paginate } from '../pagination/cursor-pagination.helper';
import { claimDue, releaseExpiredLeases, withDueDoorbells } from '../sql/lease.sql';
import { joinedEntity, NewRow, queryRows, SqlRow } from '../sql/sql-rows.helper';
import { ENDPOINT_TABLE, EVENT_DELIVERY_TABLE, EVENT_TABLE, PROJECT_TABLE } from '../sql/tables.sql';
import type { EventEntity } from '../entities/event.entity';
import type { EndpointEntity } from '../entities/endpoint.entity';
import type { ProjectEntity } from '../entities/project.entity';
import { projectFromRow } from './projects.repository';
import type { NewDeliveryAttempt } from './delivery-attempts.repository';
import { CLAIMABLE_IN, DELIVERY, ENDPOINT, EVENT } from '../sql/status-literals.sql';

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

/** A claimed delivery with the rows sending it needs, read by the claim itself. */
export interface ClaimedDelivery {
  delivery: EventDeliveryEntity;
  /** Its event, unless deleted (one instance per event across the claim). */
  event: EventEntity | undefined;
  /** Its endpoint, unless deleted (one instance per endpoint across the claim). */
  endpoint: EndpointEntity | undefined;
  /** Its project, unless deleted (one instance per project across the claim). */
  project: ProjectEntity | undefined;
}

/**
 * The claim's join: each claimed row's live event, endpoint and project, their columns
 * prefixed. An event's columns (its payload may be large) come once, on the first of its rows.
 */
const CLAIM_FOR_SENDING = `SELECT d.*, ${EVENT_TABLE.prefixedColumns('e', 'event')},
    ${ENDPOINT_TABLE.prefixedColumns('n', 'endpoint')}, ${PROJECT_TABLE.prefixedColumns('p', 'project')}
  FROM (SELECT c.*, row_number() OVER (PARTITION BY c.event_id ORDER BY c.id) = 1 AS first_of_event FROM claimed c) d
  LEFT JOIN events e ON d.first_of_event AND e.project_id = d.project_id AND e.id = d.event_id AND e.deleted_at IS NULL
  LEFT JOIN endpoints n ON n.project_id = d.project_id AND n.id = d.endpoint_id AND n.deleted_at IS NULL
  LEFT JOIN projects p ON p.id = d.project_id AND p.deleted_at IS NULL`;

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

const CLAIMABLE = `status IN ${CLAIMABLE_IN}`;

/** The claim's lease is the fencing token (compared to the millisecond JS dates keep). */
const FENCED = `abs(EXTRACT(EPOCH FROM d.lease_until - v.lease_until)) < 0.001`;

/** The fenced outcome UPDATE over `$1`…`$7` ({@link outcomeParams}); callers add RETURNING. */
const OUTCOME_UPDATE = `UPDATE event_deliveries d
  SET status = v.status, description = v.description, attempts = v.attempts,
      next_send_time = COALESCE(v.next_send_time, d.next_send_time),
      latency_ms = COALESCE(d.latency_ms, v.latency_ms),
      lease_until = NULL, updated_at = now()
  FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::int[], $6::timestamptz[], $7::int[])
    AS v(id, lease_until, status, description, attempts, next_send_time, latency_ms)
  WHERE d.id = v.id AND d.status = ${DELIVERY.Processing} AND ${FENCED}`;

function outcomeParams(outcomes: readonly DeliveryOutcomeUpdate[]): unknown[] {
  return [
    outcomes.map((o) => o.id),
    outcomes.map((o) => o.leaseUntil),
    outcomes.map((o) => o.status),
    outcomes.map((o) => o.description),
    outcomes.map((o) => o.attempts),
    outcomes.map((o) => o.nextSendTime),
    outcomes.map((o) => o.latencyMs),
  ];
}

/** A finished attempt's effect on its delivery row (see recordOutcomesWithAttempts). */
export interface DeliveryOutcomeUpdate {
  id: string;
  /** The lease returned by the claim. */
  leaseUntil: Date;
  status: DeliveryStatus;
  description: string;
  /** Attempts made in all, this one included. */
  attempts: number;
  /** Retry: when to send next; null keeps the current value. */
  nextSendTime: Date | null;
  /** Set on the first success: accepted → delivered, in ms. */
  latencyMs: number | null;
}

@Injectable()
export class EventDeliveriesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts a batch in one statement per chunk. Re-routing the same event (a redelivered
   * doorbell) hits the (event, subscription, generation) key and inserts nothing; only the
   * ids actually inserted come back.
   */
  async insertScheduled(rows: readonly NewEventDelivery[]): Promise<string[]> {
    return this.insertDeliveries(rows);
  }

  /**
   * The router's write for a batch, in one statement: its deliveries inserted (as
   * insertScheduled) and its events moved from Pending to Processing (routed), each event by
   * its own project. One round trip per batch, and an event is never marked routed without
   * its deliveries. Returns the ids of the deliveries inserted.
   */
  async recordRouting(
    rows: readonly NewEventDelivery[],
    events: ReadonlyArray<{ projectId: string; id: string }>,
  ): Promise<string[]> {
    const markRouted = {
      with: `WITH routed AS (
         UPDATE events e SET status = ${EVENT.Processing}, updated_at = now()
         FROM unnest($1::text[], $2::text[]) AS r(project_id, id)
         WHERE e.project_id = r.project_id AND e.id = r.id AND e.status = ${EVENT.Pending}
         RETURNING e.id
       )`,
      params: [events.map((event) => event.projectId), events.map((event) => event.id)],
    };
    if (rows.length === 0) {
      if (events.length > 0) {
        await queryRows(this.dataSource.manager, `${markRouted.with} SELECT count(*) FROM routed`, markRouted.params);
      }
      return [];
    }
    return this.insertDeliveries(rows, markRouted);
  }

  /** The deliveries not there yet (by event, subscription and generation), after `leading` when given. */
  private async insertDeliveries(
    rows: readonly NewEventDelivery[],
    leading?: { with: string; params: readonly unknown[] },
  ): Promise<string[]> {
    const inserted = await traceStatement(
      { operation: 'INSERT', table: 'event_deliveries' },
      () =>
        EVENT_DELIVERY_TABLE.insert(
          this.dataSource.manager,
          rows,
          'ON CONFLICT (event_id, subscription_id, generation) DO NOTHING RETURNING id',
          leading,
        ),
      () => rows.map((row) => row.traceparent),
    );
    return inserted.map((row) => String(row['id']));
  }

  /**
   * Claims the given deliveries that are due, in one statement: Scheduled/Retry rows whose
   * next_send_time has come become Processing with a lease. Returns only the rows this call
   * claimed; a row claimed concurrently by another sender is not returned (the locking CTE
   * re-checks the status after waiting). Rows are locked in id order so two claimers with
   * overlapping batches cannot deadlock. Each claimed row comes with its event, endpoint and
   * project, read by the same statement: the sender needs all three for every row it claims,
   * and reading them apart cost three more round trips per claim.
   */
  async claimDueForSending(ids: readonly string[], leaseSeconds: number): Promise<ClaimedDelivery[]> {
    const manager = this.dataSource.manager;
    const rows = await traceStatement(
      { operation: 'UPDATE', table: 'event_deliveries', purpose: 'claim' },
      () => claimDue(manager, 'event_deliveries', ids, leaseSeconds, CLAIM_FOR_SENDING),
      (claimed) => (claimed ?? []).map((row) => row['traceparent'] as string | null),
    );
    const events = new Map<string, EventEntity>();
    const endpoints = new Map<string, EndpointEntity>();
    const projects = new Map<string, ProjectEntity>();
    // Events first: only the first row of each carries its columns.
    for (const row of rows) joinedEntity(row, 'event', events, (fields) => EVENT_TABLE.fromRow(fields));
    return rows.map((row) => {
      const delivery = EVENT_DELIVERY_TABLE.fromRow(row);
      return {
        delivery,
        event: events.get(delivery.eventId),
        endpoint: joinedEntity(row, 'endpoint', endpoints, (fields) => ENDPOINT_TABLE.fromRow(fields)),
        project: joinedEntity(row, 'project', projects, projectFromRow),
      };
    });
  }

  /**
   * Processing rows whose lease expired (their sender died) go back to Scheduled (never
   * attempted) or Retry, due now. Returns them so the scheduler can ring their doorbells.
   */
  async releaseExpiredLeases(limit: number): Promise<DeliveryRef[]> {
    const rows = await releaseExpiredLeases(
      this.dataSource.manager,
      'event_deliveries',
      ['id', 'project_id', 'endpoint_id'],
      limit,
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
      qb.andWhere('d.endpoint_id IN (:...endpointIds)', {
        endpointIds: filter.endpointIds,
      });
    }
    if (filter.statuses?.length) {
      qb.andWhere('d.status IN (:...statuses)', { statuses: filter.statuses });
    }
    if (filter.eventId) {
      qb.andWhere('d.event_id = :eventId', { eventId: filter.eventId });
    }
    if (filter.subscriptionId) {
      qb.andWhere('d.subscription_id = :subscriptionId', {
        subscriptionId: filter.subscriptionId,
      });
    }
    if (filter.eventType) {
      qb.andWhere('d.event_type = :eventType', { eventType: filter.eventType });
    }
    if (filter.idempotencyKey) {
      qb.andWhere('d.idempotency_key = :idempotencyKey', {
        idempotencyKey: filter.idempotencyKey,
      });
    }
    if (filter.createdFrom) {
      qb.andWhere('d.created_at >= :createdFrom', {
        createdFrom: filter.createdFrom,
      });
    }
    if (filter.createdTo) {
      qb.andWhere('d.created_at <= :createdTo', {
        createdTo: filter.createdTo,
      });
    }
    return paginate(qb, page);
  }

  /**
   * A batch of finished attempts in ONE statement: every delivery's outcome, fenced by its
   * claim (a row is only updated while still Processing under the lease this sender got, so a
   * sender that outlived its lease never overwrites a row another sender re-claimed), and the attempt rows of the outcomes actually written, so an attempt
   * counted is an attempt recorded and a sender that lost its lease records nothing. One round
   * trip and no transaction to open and commit: this is the dispatcher's most frequent write.
   * Returns the ids of the deliveries written.
   */
  async recordOutcomesWithAttempts(
    items: ReadonlyArray<{ outcome: DeliveryOutcomeUpdate; attempt: NewDeliveryAttempt | null }>,
  ): Promise<string[]> {
    if (items.length === 0) return [];
    const attempts = items.flatMap((item) => (item.attempt ? [item.attempt] : []));
    const rows = await queryRows(
      this.dataSource.manager,
      `WITH written AS (${OUTCOME_UPDATE} RETURNING d.id),
       attempts AS (
         INSERT INTO delivery_attempts (id, project_id, event_delivery_id, endpoint_id, url, method, ip_address,
           request_http_header, response_http_header, http_status, response_data, error, success, latency_ms,
           trace_id, created_at)
         SELECT a.id, a.project_id, a.event_delivery_id, a.endpoint_id, a.url, COALESCE(a.method, 'POST'),
           COALESCE(a.ip_address, ''), COALESCE(a.request_http_header, '{}'), COALESCE(a.response_http_header, '{}'),
           a.http_status, COALESCE(a.response_data, ''), a.error, a.success, a.latency_ms, a.trace_id,
           now()
         FROM unnest($8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                     $15::jsonb[], $16::jsonb[], $17::int[], $18::text[], $19::text[], $20::bool[], $21::int[],
                     $22::text[])
           AS a(id, project_id, event_delivery_id, endpoint_id, url, method, ip_address, request_http_header,
                response_http_header, http_status, response_data, error, success, latency_ms, trace_id)
         WHERE a.event_delivery_id IN (SELECT id FROM written)
       )
       SELECT id FROM written`,
      [
        ...outcomeParams(items.map((item) => item.outcome)),
        attempts.map((a) => a.id ?? newId()),
        attempts.map((a) => a.projectId),
        attempts.map((a) => a.eventDeliveryId),
        attempts.map((a) => a.endpointId),
        attempts.map((a) => a.url),
        attempts.map((a) => a.method ?? null),
        attempts.map((a) => a.ipAddress ?? null),
        attempts.map((a) => (a.requestHttpHeader ? JSON.stringify(a.requestHttpHeader) : null)),
        attempts.map((a) => (a.responseHttpHeader ? JSON.stringify(a.responseHttpHeader) : null)),
        attempts.map((a) => a.httpStatus ?? null),
        attempts.map((a) => a.responseData ?? null),
        attempts.map((a) => a.error ?? null),
        attempts.map((a) => a.success),
        attempts.map((a) => a.latencyMs),
        attempts.map((a) => a.traceId ?? null),
      ],
    );
    return rows.map((row) => String(row['id']));
  }

  /**
   * Extends the leases of rows still Processing under the given leases (fenced like
   * outcomes) to now + `leaseSeconds`. Returns the rows renewed with their new lease,
   * the fencing token of their next write.
   */
  async renewLeases(
    rows: ReadonlyArray<{ id: string; leaseUntil: Date }>,
    leaseSeconds: number,
  ): Promise<Array<{ id: string; leaseUntil: Date }>> {
    if (rows.length === 0) return [];
    const renewed = await queryRows(
      this.dataSource.manager,
      `UPDATE event_deliveries d
       SET lease_until = date_trunc('milliseconds', now() + $3::int * interval '1 second')
       FROM unnest($1::text[], $2::timestamptz[]) AS v(id, lease_until)
       WHERE d.id = v.id AND d.status = ${DELIVERY.Processing} AND ${FENCED}
       RETURNING d.id, d.lease_until`,
      [rows.map((r) => r.id), rows.map((r) => r.leaseUntil), leaseSeconds],
    );
    return renewed.map((row) => ({ id: String(row['id']), leaseUntil: new Date(row['lease_until'] as string) }));
  }

  /**
   * Hands claimed rows back unattempted (rate limited, breaker open, shutting down): they
   * return to Scheduled (never attempted) or Retry, due at `nextSendTime`, with no attempt
   * counted. Fenced like the outcomes. Returns the ids put back.
   */
  async putBack(rows: ReadonlyArray<{ id: string; leaseUntil: Date; nextSendTime: Date }>): Promise<string[]> {
    if (rows.length === 0) {
      return [];
    }
    const updated = await queryRows(
      this.dataSource.manager,
      `UPDATE event_deliveries d
       SET status = CASE WHEN d.attempts = 0 THEN ${DELIVERY.Scheduled} ELSE ${DELIVERY.Retry} END,
           next_send_time = v.next_send_time, lease_until = NULL, updated_at = now()
       FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS v(id, lease_until, next_send_time)
       WHERE d.id = v.id AND d.status = ${DELIVERY.Processing} AND ${FENCED}
       RETURNING d.id`,
      [rows.map((r) => r.id), rows.map((r) => r.leaseUntil), rows.map((r) => r.nextSendTime)],
    );
    return updated.map((row) => String(row['id']));
  }

  /** The scheduler's sweep for deliveries (lease.sql's withDueDoorbells: rung once per grace at most). */
  async withDueDoorbells<T>(limit: number, graceSeconds: number, work: (due: DeliveryRef[]) => Promise<T>): Promise<T> {
    return withDueDoorbells(
      this.dataSource,
      'event_deliveries',
      ['project_id', 'endpoint_id'],
      limit,
      graceSeconds,
      (rows) => work(rows.map(toRef)),
    );
  }

  /** Due rows not yet claimed and how long the oldest has waited (the scheduler backlog). */
  async dueBacklog(): Promise<{ count: number; oldestAgeSeconds: number }> {
    const [row] = await queryRows(
      this.dataSource.manager,
      `SELECT count(*)::int AS count,
              COALESCE(EXTRACT(EPOCH FROM now() - min(next_send_time)), 0)::float8 AS oldest
       FROM event_deliveries WHERE ${CLAIMABLE} AND next_send_time <= now() AND deleted_at IS NULL`,
    );
    return {
      count: Number(row?.['count'] ?? 0),
      oldestAgeSeconds: Number(row?.['oldest'] ?? 0),
    };
  }
  // ------------------------------------------------------- manual retries (events API)

  /**
   * Manual retry (`resend`, `forceresend`): the named deliveries that are in `fromStatuses`
   * and whose endpoint is live and active become Scheduled, due now, in ONE statement.
   * Returns the rows moved (the caller rings their doorbells).
   */
  async requeue(
    projectId: string,
    ids: readonly string[],
    fromStatuses: readonly DeliveryStatus[],
    description: string,
  ): Promise<DeliveryRef[]> {
    if (ids.length === 0 || fromStatuses.length === 0) {
      return [];
    }
    const rows = await queryRows(
      this.dataSource.manager,
      `UPDATE event_deliveries d
       SET status = ${DELIVERY.Scheduled}, next_send_time = now(), lease_until = NULL, description = $4, updated_at = now()
       FROM endpoints ep
       WHERE d.project_id = $1 AND d.id = ANY($2::text[]) AND d.status = ANY($3::text[]) AND d.deleted_at IS NULL
         AND ep.id = d.endpoint_id AND ep.project_id = d.project_id AND ep.status = ${ENDPOINT.Active} AND ep.deleted_at IS NULL
       RETURNING d.id, d.project_id, d.endpoint_id`,
      [projectId, [...ids], [...fromStatuses], description],
    );
    return rows.map(toRef);
  }

  /**
   * Batch retry: every delivery matching the list filter that is in `fromStatuses` (and in
   * the filter's own statuses, when it names some) is requeued as in `requeue`, in ONE
   * statement. Returns how many matched and the rows moved (a matched row whose endpoint is
   * not active stays put).
   */
  async requeueMatching(
    projectId: string,
    filter: EventDeliveryFilter,
    fromStatuses: readonly DeliveryStatus[],
    description: string,
  ): Promise<{ matched: number; requeued: DeliveryRef[] }> {
    const statuses = filter.statuses?.length
      ? fromStatuses.filter((s) => filter.statuses?.includes(s))
      : [...fromStatuses];
    if (statuses.length === 0) {
      return { matched: 0, requeued: [] };
    }
    const [matching, params] = this.filtered(projectId, { ...filter, statuses })
      .select('d.id', 'id')
      .getQueryAndParameters();
    const n = params.length;
    const [row] = await queryRows(
      this.dataSource.manager,
      `WITH matched AS (${matching}),
       requeued AS (
         UPDATE event_deliveries d
         SET status = ${DELIVERY.Scheduled}, next_send_time = now(), lease_until = NULL, description = $${n + 2}, updated_at = now()
         FROM matched m, endpoints ep
         WHERE d.id = m.id AND d.project_id = $${n + 1} AND d.status = ANY($${n + 3}::text[])
           AND ep.id = d.endpoint_id AND ep.project_id = d.project_id AND ep.status = ${ENDPOINT.Active} AND ep.deleted_at IS NULL
         RETURNING d.id, d.project_id, d.endpoint_id
       )
       SELECT (SELECT count(*)::int FROM matched) AS matched,
              COALESCE((SELECT json_agg(requeued) FROM requeued), '[]'::json) AS requeued`,
      [...params, projectId, description, statuses],
    );
    const requeued = ((row?.['requeued'] as SqlRow[] | undefined) ?? []).map(toRef);
    return { matched: Number(row?.['matched'] ?? 0), requeued };
  }

  private filtered(projectId: string, filter: EventDeliveryFilter): SelectQueryBuilder<EventDeliveryEntity> {
    const qb = this.dataSource
      .getRepository(EventDeliveryEntity)
      .createQueryBuilder('d')
      .where('d.project_id = :projectId', { projectId });
    if (filter.endpointIds?.length)
      qb.andWhere('d.endpoint_id IN (:...endpointIds)', {
        endpointIds: filter.endpointIds,
      });
    if (filter.statuses?.length) qb.andWhere('d.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.eventId) qb.andWhere('d.event_id = :eventId', { eventId: filter.eventId });
    if (filter.subscriptionId)
      qb.andWhere('d.subscription_id = :subscriptionId', {
        subscriptionId: filter.subscriptionId,
      });
    if (filter.eventType) qb.andWhere('d.event_type = :eventType', { eventType: filter.eventType });
    if (filter.idempotencyKey)
      qb.andWhere('d.idempotency_key = :idempotencyKey', {
        idempotencyKey: filter.idempotencyKey,
      });
    if (filter.createdFrom)
      qb.andWhere('d.created_at >= :createdFrom', {
        createdFrom: filter.createdFrom,
      });
    if (filter.createdTo)
      qb.andWhere('d.created_at <= :createdTo', {
        createdTo: filter.createdTo,
      });
    return qb;
  }
}

function toRef(row: SqlRow): DeliveryRef {
  return {
    id: String(row['id']),
    projectId: String(row['project_id']),
    endpointId: String(row['endpoint_id']),
  };
}
