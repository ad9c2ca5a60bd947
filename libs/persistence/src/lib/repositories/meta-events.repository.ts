import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MetaEventStatus } from '@caravan/domain';
import { MetaEventEntity, MetaEventLastResponse } from '../entities/meta-event.entity';
import { Page, PageQuery, paginate } from '../pagination/cursor-pagination.helper';
import { claimDue, releaseExpiredLeases } from '../sql/lease.sql';
import { NewRow, queryRows } from '../sql/sql-rows.helper';
import { META_EVENT_TABLE } from '../sql/tables.sql';
import { META_CLAIMABLE_IN, META_EVENT } from '../sql/status-literals.sql';

export type NewMetaEvent = NewRow<MetaEventEntity, 'projectId' | 'eventType' | 'payload' | 'retryLimit'>;

/** A finished meta-event attempt's effect on its row (see recordOutcomes). */
export interface MetaEventOutcomeUpdate {
  id: string;
  leaseUntil: Date;
  status: MetaEventStatus;
  attempts: number;
  nextSendTime: Date | null;
  lastResponse: MetaEventLastResponse;
}

@Injectable()
export class MetaEventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(metaEvent: NewMetaEvent): Promise<MetaEventEntity> {
    const manager = this.dataSource.manager;
    const [row] = await META_EVENT_TABLE.insert(manager, [metaEvent], 'RETURNING *');
    return META_EVENT_TABLE.fromRow(row);
  }

  /** Same contract as EventDeliveriesRepository.claimDue: one statement, only rows this call claimed. */
  async claimDue(ids: readonly string[], leaseSeconds: number): Promise<MetaEventEntity[]> {
    const manager = this.dataSource.manager;
    const rows = await claimDue(manager, 'meta_events', ids, leaseSeconds);
    return rows.map((row) => META_EVENT_TABLE.fromRow(row));
  }

  async findById(projectId: string, id: string): Promise<MetaEventEntity | null> {
    return this.dataSource.getRepository(MetaEventEntity).findOneBy({ projectId, id });
  }

  async list(
    projectId: string,
    filter: { createdFrom?: Date; createdTo?: Date } = {},
    page: PageQuery = {},
  ): Promise<Page<MetaEventEntity>> {
    const qb = this.dataSource
      .getRepository(MetaEventEntity)
      .createQueryBuilder('m')
      .where('m.project_id = :projectId', { projectId });
    if (filter.createdFrom) qb.andWhere('m.created_at >= :createdFrom', { createdFrom: filter.createdFrom });
    if (filter.createdTo) qb.andWhere('m.created_at <= :createdTo', { createdTo: filter.createdTo });
    return paginate(qb, page);
  }

  /** A batch of meta events in one statement; returns them as stored. */
  async insertMany(metaEvents: readonly NewMetaEvent[]): Promise<MetaEventEntity[]> {
    const manager = this.dataSource.manager;
    const rows = await META_EVENT_TABLE.insert(manager, metaEvents, 'RETURNING *');
    return rows.map((row) => META_EVENT_TABLE.fromRow(row));
  }

  /** Same fencing contract as EventDeliveriesRepository.recordOutcomes; returns the ids updated. */
  async recordOutcomes(outcomes: readonly MetaEventOutcomeUpdate[]): Promise<string[]> {
    if (outcomes.length === 0) {
      return [];
    }
    const rows = await queryRows(
      this.dataSource.manager,
      `UPDATE meta_events m
       SET status = v.status, attempts = v.attempts,
           next_send_time = COALESCE(v.next_send_time, m.next_send_time),
           last_response = v.last_response, lease_until = NULL, updated_at = now()
       FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::int[], $5::timestamptz[], $6::jsonb[])
         AS v(id, lease_until, status, attempts, next_send_time, last_response)
       WHERE m.id = v.id AND m.status = ${META_EVENT.Processing}
         AND abs(EXTRACT(EPOCH FROM m.lease_until - v.lease_until)) < 0.001
       RETURNING m.id`,
      [
        outcomes.map((o) => o.id),
        outcomes.map((o) => o.leaseUntil),
        outcomes.map((o) => o.status),
        outcomes.map((o) => o.attempts),
        outcomes.map((o) => o.nextSendTime),
        outcomes.map((o) => JSON.stringify(o.lastResponse)),
      ],
    );
    return rows.map((row) => String(row['id']));
  }

  /** The scheduler's sweep for meta events; same contract as EventDeliveriesRepository.withDueDoorbells. */
  async withDueDoorbells<T>(
    limit: number,
    graceSeconds: number,
    work: (due: Array<{ id: string; projectId: string }>) => Promise<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await queryRows(
        manager,
        `SELECT id, project_id FROM meta_events
         WHERE status IN ${META_CLAIMABLE_IN} AND next_send_time <= now()
           AND (status = ${META_EVENT.Retry} OR next_send_time > updated_at OR updated_at <= now() - $2::int * interval '1 second')
         ORDER BY next_send_time
         LIMIT $1
         FOR UPDATE SKIP LOCKED`,
        [limit, graceSeconds],
      );
      return work(
        rows.map((row) => ({
          id: String(row['id']),
          projectId: String(row['project_id']),
        })),
      );
    });
  }

  /** Processing meta events whose lease expired go back to Retry (or Scheduled), due now. */
  async releaseExpiredLeases(limit: number): Promise<Array<{ id: string; projectId: string }>> {
    const rows = await releaseExpiredLeases(this.dataSource.manager, 'meta_events', ['id', 'project_id'], limit);
    return rows.map((row) => ({
      id: String(row['id']),
      projectId: String(row['project_id']),
    }));
  }
  /**
   * Resend (`PUT /meta-events/{id}/resend`): Scheduled, due now, unless a sender holds it
   * (Processing). Returns the row, or null when there is no such meta event or it is in flight.
   */
  async requeue(projectId: string, id: string): Promise<MetaEventEntity | null> {
    const manager = this.dataSource.manager;
    const rows = await queryRows(
      manager,
      `UPDATE meta_events SET status = ${META_EVENT.Scheduled}, next_send_time = now(), lease_until = NULL, updated_at = now()
       WHERE project_id = $1 AND id = $2 AND status <> ${META_EVENT.Processing}
       RETURNING *`,
      [projectId, id],
    );
    return rows[0] ? META_EVENT_TABLE.fromRow(rows[0]) : null;
  }
}
