import type { EntityManager } from 'typeorm';
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
 */
export async function claimDue(
  manager: EntityManager,
  table: LeasedTable,
  ids: readonly string[],
  leaseSeconds: number,
): Promise<Record<string, unknown>[]> {
  if (ids.length === 0) return [];
  return queryRows(
    manager,
    `WITH claimable AS (
       SELECT id FROM ${table}
       WHERE id = ANY($1::text[]) AND ${CLAIMABLE[table]}
       ORDER BY id
       FOR UPDATE
     )
     UPDATE ${table} t
     SET status = ${PROCESSING[table]}, lease_until = now() + $2::int * interval '1 second', updated_at = now()
     FROM claimable c
     WHERE t.id = c.id
     RETURNING t.*`,
    [ids, leaseSeconds],
  );
}

/**
 * Processing rows whose lease expired (their sender died) go back to Scheduled (never
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
       WHERE status = ${PROCESSING[table]} AND lease_until < now()
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
    [limit],
  );
}
