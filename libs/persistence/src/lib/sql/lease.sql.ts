import type { DataSource, EntityManager } from 'typeorm';
import { queryRows } from './sql-rows.helper';
import { CLAIMABLE_IN, DELIVERY, META_CLAIMABLE_IN, META_EVENT } from './status-literals.sql';

/** The tables whose rows are claimed with a lease (event deliveries and meta events). */
export type LeasedTable = 'event_deliveries' | 'meta_events';

const PROCESSING: Record<LeasedTable, string> = {
  event_deliveries: DELIVERY.Processing,
  meta_events: META_EVENT.Processing,
};
const SCHEDULED: Record<LeasedTable, string> = {
  event_deliveries: DELIVERY.Scheduled,
  meta_events: META_EVENT.Scheduled,
};
const RETRY: Record<LeasedTable, string> = { event_deliveries: DELIVERY.Retry, meta_events: META_EVENT.Retry };

/** Rows a sender may claim; event deliveries are also soft-deletable. */
const CLAIMABLE: Record<LeasedTable, string> = {
  event_deliveries: `status IN ${CLAIMABLE_IN} AND next_send_time <= now() AND deleted_at IS NULL`,
  meta_events: `status IN ${META_CLAIMABLE_IN} AND next_send_time <= now()`,
};

/**
 * The claim (docs/architecture.md#postgres-is-the-truth-kafka-is-the-doorbell): ONE statement that moves the given rows that are due to
 * Processing under a lease and returns only the rows it claimed, so a row is never handed
 * to two senders. Rows are locked in id order, so overlapping batches cannot deadlock.
 * `select` reads from `claimed` (the claimed rows), possibly joined with what sending them
 * needs; by default the rows themselves.
 */
export async function claimDue(
  manager: EntityManager,
  table: LeasedTable,
  ids: readonly string[],
  leaseSeconds: number,
  select = 'SELECT * FROM claimed',
): Promise<Record<string, unknown>[]> {
  if (ids.length === 0) return [];
  return queryRows(
    manager,
    `WITH claimable AS (
       SELECT id FROM ${table}
       WHERE id = ANY($1::text[]) AND ${CLAIMABLE[table]}
       ORDER BY id
       FOR UPDATE
     ), claimed AS (
       UPDATE ${table} t
       SET status = ${PROCESSING[table]}, lease_until = now() + $2::int * interval '1 second', updated_at = now()
       FROM claimable c
       WHERE t.id = c.id
       RETURNING t.*
     )
     ${select}`,
    [ids, leaseSeconds],
  );
}

/**
 * How long past its lease a row is left to its holder before it is handed out again: a live
 * sender that could not renew while Postgres restarted renews within a moment of its return
 * (and writes the outcomes of the attempts it made), instead of racing the scheduler.
 */
export const RELEASE_MARGIN_SECONDS = 2;

/**
 * No lease is handed out this soon after Postgres (re)started: every live sender's leases
 * lapsed while it could not renew (the restart outlasted them), and each renews within a
 * moment of reconnecting. Releasing them first had hundreds of rows sent twice per restart
 * (the fault suite's Postgres restart); a dead sender's rows wait these seconds more, once.
 */
export const RESTART_GRACE_SECONDS = 10;

/**
 * Processing rows whose lease expired (their sender died) RELEASE_MARGIN_SECONDS ago (and
 * Postgres up for RESTART_GRACE_SECONDS) go back to Scheduled (never
 * attempted) or Retry, due now; SKIP LOCKED so several schedulers never take the same rows.
 * Returns the released rows' `columns` so the caller can ring their doorbells.
 */
export function releaseExpiredLeases(
  manager: EntityManager,
  table: LeasedTable,
  columns: readonly string[],
  limit: number,
): Promise<Record<string, unknown>[]> {
  return queryRows(
    manager,
    `WITH expired AS (
       SELECT id FROM ${table}
       WHERE status = ${PROCESSING[table]} AND lease_until < now() - $2::int * interval '1 second'
         AND pg_postmaster_start_time() < now() - $3::int * interval '1 second'
       ORDER BY lease_until
       LIMIT $1
       FOR UPDATE SKIP LOCKED
     )
     UPDATE ${table} t
     SET status = CASE WHEN t.attempts = 0 THEN ${SCHEDULED[table]} ELSE ${RETRY[table]} END,
         lease_until = NULL, next_send_time = now(), updated_at = now()
     FROM expired e
     WHERE t.id = e.id
     RETURNING ${columns.map((column) => `t.${column}`).join(', ')}`,
    [limit, RELEASE_MARGIN_SECONDS, RESTART_GRACE_SECONDS],
  );
}

/**
 * The scheduler's sweep of one leased table, the one owner of the re-ring rule: due rows
 * whose doorbell must be rung (again), locked with SKIP LOCKED for the duration of `work` so
 * concurrent schedulers take disjoint rows. Rows that became due after their last update
 * (Retry rows, rows put back by the rate limiter) are rung as soon as they are due; other
 * rows only once untouched for `graceSeconds` (a fresh Scheduled row's first doorbell is in
 * flight). Rung rows are marked (updated_at), so a row is not rung again before the grace
 * passes, however long the dispatchers stall. Returns what `work` returns.
 */
export function withDueDoorbells<T>(
  dataSource: DataSource,
  table: LeasedTable,
  columns: readonly string[],
  limit: number,
  graceSeconds: number,
  work: (due: Record<string, unknown>[]) => Promise<T>,
): Promise<T> {
  return dataSource.transaction(async (manager) => {
    const rows = await queryRows(
      manager,
      `SELECT ${['id', ...columns.filter((column) => column !== 'id')].join(', ')} FROM ${table}
       WHERE ${CLAIMABLE[table]}
         AND (next_send_time > updated_at OR updated_at <= now() - $2::int * interval '1 second')
       ORDER BY next_send_time
       LIMIT $1
       FOR UPDATE SKIP LOCKED`,
      [limit, graceSeconds],
    );
    const result = await work(rows);
    if (rows.length > 0) {
      await queryRows(manager, `UPDATE ${table} SET updated_at = now() WHERE id = ANY($1::text[])`, [
        rows.map((row) => String(row['id'])),
      ]);
    }
    return result;
  });
}
