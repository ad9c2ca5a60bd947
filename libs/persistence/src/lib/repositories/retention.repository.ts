import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../sql/sql-rows.helper';
import { EVENT, sqlList } from '../sql/status-literals.sql';
import { DeliveryStatus, MetaEventStatus } from '@caravan/domain';

const UNFINISHED_DELIVERY = sqlList([DeliveryStatus.Scheduled, DeliveryStatus.Processing, DeliveryStatus.Retry]);
const FINISHED_META_EVENT = sqlList([MetaEventStatus.Success, MetaEventStatus.Failure]);

/** Key of the session advisory lock that lets one dispatcher replica at a time sweep. */
const SWEEP_LOCK_KEY = `hashtextextended('caravan:retention', 0)`;

export interface DeletedEvents {
  events: number;
  deliveries: number;
  attempts: number;
}

/**
 * Deletes what a project's retention policy says is too old, in bounded batches: each call is
 * one short statement (its own transaction) over at most `limit` rows, so no long lock is ever
 * held and autovacuum can reuse the space between batches.
 */
@Injectable()
export class RetentionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` while holding the sweep lock, on a connection of its own for the duration;
   * null (without running it) when another replica holds it. The lock is a session lock, so
   * it goes away with the connection if this process dies.
   */
  async whileHoldingSweepLock<T>(work: () => Promise<T>): Promise<T | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock(${SWEEP_LOCK_KEY}) AS locked`)) as Array<{
        locked: boolean;
      }>;
      if (!locked) return null;
      try {
        return await work();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(${SWEEP_LOCK_KEY})`);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Deletes up to `limit` of the project's oldest events created before `cutoff`, with their
   * deliveries and attempts, in one statement. Events whose deliveries are still in flight
   * (Scheduled, Processing, Retry) and events never routed (Pending) are kept: retention never
   * takes an accepted event away before it was delivered or failed.
   */
  async deleteEventsBefore(projectId: string, cutoff: Date, limit: number): Promise<DeletedEvents> {
    const [row] = await queryRows(
      this.dataSource.manager,
      // Ids travel as arrays (`= ANY(…)`) so every step is an index scan, whatever the
      // tables' size: a join against the CTE would plan hash joins over whole tables.
      `WITH doomed AS MATERIALIZED (
         SELECT e.id FROM events e
         WHERE e.project_id = $1 AND e.created_at < $2 AND e.status <> ${EVENT.Pending}
           AND NOT EXISTS (
             SELECT 1 FROM event_deliveries d
             WHERE d.project_id = $1 AND d.status IN ${UNFINISHED_DELIVERY} AND d.event_id = e.id)
         ORDER BY e.created_at
         LIMIT $3
         FOR UPDATE SKIP LOCKED
       ),
       events_ AS (SELECT ARRAY(SELECT id FROM doomed) AS ids),
       deliveries AS (
         SELECT ARRAY(SELECT d.id FROM event_deliveries d WHERE d.event_id = ANY((SELECT ids FROM events_)::text[])) AS ids
       ),
       gone_attempts AS (
         DELETE FROM delivery_attempts a WHERE a.event_delivery_id = ANY((SELECT ids FROM deliveries)::text[]) RETURNING 1
       ),
       gone_deliveries AS (
         DELETE FROM event_deliveries d WHERE d.id = ANY((SELECT ids FROM deliveries)::text[]) RETURNING 1
       ),
       gone_events AS (
         DELETE FROM events e WHERE e.id = ANY((SELECT ids FROM events_)::text[]) RETURNING 1
       )
       SELECT (SELECT count(*) FROM gone_events)::int AS events,
              (SELECT count(*) FROM gone_deliveries)::int AS deliveries,
              (SELECT count(*) FROM gone_attempts)::int AS attempts`,
      [projectId, cutoff, limit],
    );
    return { events: Number(row['events']), deliveries: Number(row['deliveries']), attempts: Number(row['attempts']) };
  }

  /** Deletes up to `limit` of the project's settled (Success, Failure) meta events created before `cutoff`. */
  async deleteMetaEventsBefore(projectId: string, cutoff: Date, limit: number): Promise<number> {
    const [row] = await queryRows(
      this.dataSource.manager,
      `WITH doomed AS MATERIALIZED (
         SELECT id FROM meta_events
         WHERE project_id = $1 AND created_at < $2 AND status IN ${FINISHED_META_EVENT}
         ORDER BY id
         LIMIT $3
         FOR UPDATE SKIP LOCKED
       ), gone AS (
         DELETE FROM meta_events m WHERE m.id = ANY(ARRAY(SELECT id FROM doomed)) RETURNING 1
       )
       SELECT count(*)::int AS deleted FROM gone`,
      [projectId, cutoff, limit],
    );
    return Number(row['deleted']);
  }
}
