import { EventStatus, newId } from '@caravan/domain';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { EventEntity } from '../entities/event.entity';
import { Page, PageQuery, paginate } from '../pagination/cursor-pagination.helper';
import { hydrate, insertRows, NewRow, queryRows } from '../sql/sql-rows.helper';

export type NewEvent = NewRow<EventEntity, 'projectId' | 'eventType' | 'routing' | 'raw'>;

export interface AcceptedEvent {
  event: EventEntity;
  /** True when the idempotency key was already taken: stored, but gets no deliveries. */
  duplicate: boolean;
}

export interface EventFilter {
  endpointIds?: string[];
  sourceId?: string;
  idempotencyKey?: string;
  ownerId?: string;
  createdFrom?: Date;
  createdTo?: Date;
}

@Injectable()
export class EventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores an accepted event. Idempotency is decided by the partial unique index, never by a
   * read-then-write: the first insert skips on conflict, and the loser is stored again as a
   * duplicate (which the index does not cover). A duplicate is stored as Success: it has
   * nothing to deliver, so it must not look "pending, never routed" to the scheduler.
   */
  async insertAccepted(
    event: NewEvent,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<AcceptedEvent> {
    const original: NewEvent = {
      ...event,
      id: event.id ?? newId(),
      isDuplicateEvent: false,
      status: EventStatus.Pending,
    };
    const [inserted] = await insertRows(
      manager,
      EventEntity,
      [original],
      `ON CONFLICT (project_id, idempotency_key)
         WHERE idempotency_key IS NOT NULL AND NOT is_duplicate_event
       DO NOTHING RETURNING *`,
    );
    if (inserted) {
      return { event: hydrate(manager, EventEntity, inserted), duplicate: false };
    }
    const [duplicate] = await insertRows(
      manager,
      EventEntity,
      [{ ...original, isDuplicateEvent: true, status: EventStatus.Success }],
      'RETURNING *',
    );
    return { event: hydrate(manager, EventEntity, duplicate), duplicate: true };
  }

  async findById(projectId: string, id: string): Promise<EventEntity | null> {
    return this.dataSource.getRepository(EventEntity).findOneBy({ projectId, id });
  }

  /** Pending → Processing once the router has created the deliveries; returns the ids moved. */
  async markRouted(
    projectId: string,
    ids: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<string[]> {
    if (ids.length === 0) {
      return [];
    }
    const rows = await queryRows(
      manager,
      `UPDATE events SET status = 'Processing', updated_at = now()
       WHERE project_id = $1 AND id = ANY($2::text[]) AND status = 'Pending'
       RETURNING id`,
      [projectId, ids],
    );
    return rows.map((row) => String(row['id']));
  }

  /** Events still Pending after `olderThanSeconds`: their doorbell was lost; ring again. */
  async findStalePending(
    olderThanSeconds: number,
    limit: number,
  ): Promise<Array<{ id: string; projectId: string }>> {
    const rows = await queryRows(
      this.dataSource.manager,
      `SELECT id, project_id FROM events
       WHERE status = 'Pending' AND created_at <= now() - $1::int * interval '1 second'
         AND deleted_at IS NULL
       ORDER BY created_at
       LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return rows.map((row) => ({ id: String(row['id']), projectId: String(row['project_id']) }));
  }

  async list(projectId: string, filter: EventFilter = {}, page: PageQuery = {}): Promise<Page<EventEntity>> {
    const qb = this.dataSource
      .getRepository(EventEntity)
      .createQueryBuilder('e')
      .where('e.project_id = :projectId', { projectId });
    if (filter.endpointIds?.length) {
      qb.andWhere('e.endpoint_ids && :endpointIds::text[]', { endpointIds: filter.endpointIds });
    }
    if (filter.sourceId) {
      qb.andWhere('e.source_id = :sourceId', { sourceId: filter.sourceId });
    }
    if (filter.idempotencyKey) {
      qb.andWhere('e.idempotency_key = :idempotencyKey', { idempotencyKey: filter.idempotencyKey });
    }
    if (filter.ownerId) {
      qb.andWhere('e.owner_id = :ownerId', { ownerId: filter.ownerId });
    }
    if (filter.createdFrom) {
      qb.andWhere('e.created_at >= :createdFrom', { createdFrom: filter.createdFrom });
    }
    if (filter.createdTo) {
      qb.andWhere('e.created_at <= :createdTo', { createdTo: filter.createdTo });
    }
    return paginate(qb, page);
  }
}
