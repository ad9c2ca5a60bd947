import { EventStatus, newId } from '@caravan/domain';
import { Injectable } from '@nestjs/common';
import { traceStatement } from '@caravan/observability';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { EventEntity } from '../entities/event.entity';
import { Page, PageQuery, paginate } from '../pagination/cursor-pagination.helper';
import { containsPattern, joinedEntity, NewRow, queryRows, SqlRow } from '../sql/sql-rows.helper';
import { EVENT_TABLE, PROJECT_TABLE } from '../sql/tables.sql';
import type { ProjectEntity } from '../entities/project.entity';
import { projectFromRow } from './projects.repository';
import { EVENT } from '../sql/status-literals.sql';

export type NewEvent = NewRow<EventEntity, 'projectId' | 'eventType' | 'routing' | 'raw'>;

export interface AcceptedEvent {
  event: EventEntity;
  /** True when the idempotency key was already taken: stored, but gets no deliveries. */
  duplicate: boolean;
}

export interface EventFilter {
  endpointIds?: string[];
  /** Any of these sources. */
  sourceIds?: string[];
  idempotencyKey?: string;
  ownerId?: string;
  createdFrom?: Date;
  createdTo?: Date;
}

/** EventFilter plus Convoy's free-text `query`. */
export interface EventSearchFilter extends EventFilter {
  /** Matches the event type (case-insensitive substring) or the exact bytes anywhere in the body. */
  query?: string;
}

@Injectable()
export class EventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores one accepted event (see insertAcceptedMany). */
  async insertAccepted(event: NewEvent): Promise<AcceptedEvent> {
    const [accepted] = await this.insertAcceptedMany([event]);
    return accepted as AcceptedEvent;
  }

  /**
   * Stores accepted events, results in input order. Idempotency is decided by the partial
   * unique index, never by a read-then-write: the originals are inserted skipping conflicts,
   * and the losers (a key already taken, or taken earlier in the same batch) are stored again
   * as duplicates, which the index does not cover. A duplicate is stored as Success: it has
   * nothing to deliver, so it must not look "never routed".
   * Also idempotent on the event id: the caller assigns ids before the first try, so storing
   * the same events again (a retry after a commit whose answer was lost) returns the rows
   * already stored instead of storing them twice.
   */
  async insertAcceptedMany(events: readonly NewEvent[]): Promise<AcceptedEvent[]> {
    if (events.length === 0) return [];
    return traceStatement(
      { operation: 'INSERT', table: 'events' },
      () => this.storeAccepted(events, this.dataSource.manager),
      () => events.map((event) => event.traceparent),
    );
  }

  private async storeAccepted(events: readonly NewEvent[], manager: EntityManager): Promise<AcceptedEvent[]> {
    const originals: NewEvent[] = events.map((event) => ({
      ...event,
      id: event.id ?? newId(),
      isDuplicateEvent: false,
      status: EventStatus.Pending,
    }));
    const stored = new Map<string, Record<string, unknown>>();
    const keep = (rows: Record<string, unknown>[]) => rows.forEach((row) => stored.set(String(row['id']), row));
    // No conflict target: a taken id and a taken idempotency key are both skipped here.
    keep(await EVENT_TABLE.insert(manager, originals, 'ON CONFLICT DO NOTHING RETURNING *'));
    const missing = () => originals.filter((original) => !stored.has(original.id as string));
    if (missing().length > 0) keep(await this.storedRows(manager, missing()));
    const losers = missing();
    if (losers.length > 0) {
      keep(
        await EVENT_TABLE.insert(
          manager,
          losers.map((loser) => ({ ...loser, isDuplicateEvent: true, status: EventStatus.Success })),
          'ON CONFLICT (id) DO NOTHING RETURNING *',
        ),
      );
      if (missing().length > 0) keep(await this.storedRows(manager, missing()));
    }
    return originals.map((original) => {
      const row = stored.get(original.id as string);
      if (!row) throw new Error(`event ${original.id} was neither stored nor found`);
      const event = EVENT_TABLE.fromRow(row);
      return { event, duplicate: event.isDuplicateEvent };
    });
  }

  /** The rows already stored under these events' ids (in their projects). */
  private storedRows(manager: EntityManager, events: readonly NewEvent[]): Promise<Record<string, unknown>[]> {
    return queryRows(
      manager,
      `SELECT e.* FROM events e
       JOIN unnest($1::text[], $2::text[]) AS r(project_id, id) ON e.project_id = r.project_id AND e.id = r.id`,
      [events.map((event) => event.projectId), events.map((event) => event.id)],
    );
  }

  async findById(projectId: string, id: string): Promise<EventEntity | null> {
    return this.dataSource.getRepository(EventEntity).findOneBy({ projectId, id });
  }

  /**
   * Adds the endpoints the router created deliveries for to events' `endpoint_ids` (Convoy's
   * `endpoints`), so a broadcast, fan-out or source event is found by its endpoints.
   */
  async addRoutedEndpoints(
    projectId: string,
    routed: ReadonlyArray<{ id: string; endpointIds: readonly string[] }>,
  ): Promise<void> {
    if (routed.length === 0) return;
    await queryRows(
      this.dataSource.manager,
      `UPDATE events e
          SET endpoint_ids = ARRAY(SELECT DISTINCT x FROM unnest(e.endpoint_ids || v.ids) AS x ORDER BY x)
         FROM (SELECT r.id, ARRAY(SELECT jsonb_array_elements_text(r.endpoint_ids)) AS ids
                 FROM jsonb_to_recordset($2::jsonb) AS r(id text, endpoint_ids jsonb)) v
        WHERE e.project_id = $1 AND e.id = v.id AND NOT (v.ids <@ e.endpoint_ids)`,
      [projectId, JSON.stringify(routed.map((row) => ({ id: row.id, endpoint_ids: row.endpointIds })))],
    );
  }

  /**
   * The scheduler's sweep of events whose doorbell was lost (an api that died between the
   * commit and the ring, Kafka down): Pending events untouched for `freshMs` since they were
   * accepted, or for `graceSeconds` since their last re-ring. Runs `work` (ringing them) while
   * holding their rows (SKIP LOCKED: concurrent schedulers take disjoint events), then marks
   * them rung (updated_at), so a stalled router is not flooded with the same doorbells.
   */
  async withStalePending<T>(
    freshMs: number,
    graceSeconds: number,
    limit: number,
    work: (stale: Array<{ id: string; projectId: string }>) => Promise<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await queryRows(
        manager,
        `SELECT id, project_id FROM events
         WHERE status = ${EVENT.Pending} AND deleted_at IS NULL
           AND updated_at <= now() - $1::int * interval '1 millisecond'
           AND (updated_at < created_at + $1::int * interval '1 millisecond'
                OR updated_at <= now() - $2::int * interval '1 second')
         ORDER BY updated_at
         LIMIT $3
         FOR UPDATE SKIP LOCKED`,
        [freshMs, graceSeconds, limit],
      );
      const stale = rows.map((row) => ({ id: String(row['id']), projectId: String(row['project_id']) }));
      const result = await work(stale);
      if (stale.length > 0) {
        await queryRows(manager, `UPDATE events SET updated_at = now() WHERE id = ANY($1::text[])`, [
          stale.map((event) => event.id),
        ]);
      }
      return result;
    });
  }

  /**
   * The events named by a batch of doorbells, in ONE query whatever the batch size. Each ref
   * carries its project, so a doorbell can never load another tenant's event.
   */
  async findByRefs(refs: ReadonlyArray<{ projectId: string; id: string }>): Promise<EventEntity[]> {
    return (await this.selectByRefs(refs)).map((row) => EVENT_TABLE.fromRow(row));
  }

  /**
   * findByRefs, each event with its live project read by the same statement: the router needs
   * both for every event of a batch.
   */
  async findForRouting(
    refs: ReadonlyArray<{ projectId: string; id: string }>,
  ): Promise<Array<{ event: EventEntity; project: ProjectEntity | undefined }>> {
    const rows = await this.selectByRefs(
      refs,
      `, ${PROJECT_TABLE.prefixedColumns('p', 'project')}`,
      'LEFT JOIN projects p ON p.id = e.project_id AND p.deleted_at IS NULL',
    );
    const projects = new Map<string, ProjectEntity>();
    return rows.map((row) => ({
      event: EVENT_TABLE.fromRow(row),
      project: joinedEntity(row, 'project', projects, projectFromRow),
    }));
  }

  private async selectByRefs(
    refs: ReadonlyArray<{ projectId: string; id: string }>,
    joinedColumns = '',
    join = '',
  ): Promise<SqlRow[]> {
    if (refs.length === 0) return [];
    return queryRows(
      this.dataSource.manager,
      `SELECT e.*${joinedColumns} FROM events e
       JOIN unnest($1::text[], $2::text[]) AS r(project_id, id) ON e.project_id = r.project_id AND e.id = r.id
       ${join}
       WHERE e.deleted_at IS NULL`,
      [refs.map((ref) => ref.projectId), refs.map((ref) => ref.id)],
    );
  }
  // ------------------------------------------------------------------ events API

  /** A page of the project's events matching the filter and Convoy's `query` (see EventSearchFilter). */
  async search(projectId: string, filter: EventSearchFilter = {}, page: PageQuery = {}): Promise<Page<EventEntity>> {
    return paginate(this.filtered(projectId, filter), page);
  }

  /**
   * Replays an event afresh (Convoy's replay): the next generation, Pending again, so the
   * router creates a new set of deliveries. Null when there is no such live original event
   * (duplicates have nothing to deliver and are not replayed).
   */
  async replay(projectId: string, id: string): Promise<EventEntity | null> {
    const manager = this.dataSource.manager;
    const rows = await queryRows(
      manager,
      `UPDATE events SET generation = generation + 1, status = ${EVENT.Pending}, updated_at = now()
       WHERE project_id = $1 AND id = $2 AND deleted_at IS NULL AND NOT is_duplicate_event
       RETURNING *`,
      [projectId, id],
    );
    return rows[0] ? EVENT_TABLE.fromRow(rows[0]) : null;
  }

  /** How many original events a batch replay with this filter would replay (Convoy's countbatchreplayevents). */
  async countReplayable(projectId: string, filter: EventSearchFilter): Promise<number> {
    return this.filtered(projectId, filter).andWhere('NOT e.is_duplicate_event').getCount();
  }

  /**
   * Replays every original event matching the filter in ONE statement. Returns how many
   * matched and the ids replayed (the caller rings their doorbells).
   */
  async replayMatching(projectId: string, filter: EventSearchFilter): Promise<{ matched: number; replayed: string[] }> {
    const [matching, params] = this.filtered(projectId, filter)
      .andWhere('NOT e.is_duplicate_event')
      .select('e.id', 'id')
      .getQueryAndParameters();
    const [row] = await queryRows(
      this.dataSource.manager,
      `WITH matched AS (${matching}),
       replayed AS (
         UPDATE events e SET generation = e.generation + 1, status = ${EVENT.Pending}, updated_at = now()
         FROM matched m WHERE e.id = m.id AND e.project_id = $${params.length + 1}
         RETURNING e.id
       )
       SELECT (SELECT count(*)::int FROM matched) AS matched,
              COALESCE((SELECT array_agg(id) FROM replayed), '{}') AS replayed`,
      [...params, projectId],
    );
    return { matched: Number(row?.['matched'] ?? 0), replayed: (row?.['replayed'] as string[] | undefined) ?? [] };
  }

  private filtered(projectId: string, filter: EventSearchFilter): SelectQueryBuilder<EventEntity> {
    const qb = this.dataSource
      .getRepository(EventEntity)
      .createQueryBuilder('e')
      .where('e.project_id = :projectId', { projectId });
    if (filter.endpointIds?.length) {
      qb.andWhere('e.endpoint_ids && CAST(:endpointIds AS text[])', { endpointIds: filter.endpointIds });
    }
    if (filter.sourceIds?.length) {
      qb.andWhere('e.source_id = ANY(CAST(:sourceIds AS text[]))', { sourceIds: filter.sourceIds });
    }
    if (filter.idempotencyKey)
      qb.andWhere('e.idempotency_key = :idempotencyKey', { idempotencyKey: filter.idempotencyKey });
    if (filter.ownerId) qb.andWhere('e.owner_id = :ownerId', { ownerId: filter.ownerId });
    if (filter.createdFrom) qb.andWhere('e.created_at >= :createdFrom', { createdFrom: filter.createdFrom });
    if (filter.createdTo) qb.andWhere('e.created_at <= :createdTo', { createdTo: filter.createdTo });
    if (filter.query) {
      qb.andWhere(
        `(e.event_type ILIKE :queryPattern ESCAPE '\\' OR position(convert_to(:queryText, 'UTF8') in e.raw) > 0)`,
        { queryPattern: containsPattern(filter.query), queryText: filter.query },
      );
    }
    return qb;
  }
}
