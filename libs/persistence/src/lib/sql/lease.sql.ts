import type { EntityManager } from 'typeorm';
import { queryRows } from './sql-rows.helper';

/** The tables whose rows are claimed with a lease (event deliveries and meta events). */
export type LeasedTable = 'event_deliveries' | 'meta_events';

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
       WHERE status = 'Processing' AND lease_until < now()
       ORDER BY lease_until
       LIMIT $1
       FOR UPDATE SKIP LOCKED
     )
     UPDATE ${table} t
     SET status = CASE WHEN t.attempts = 0 THEN 'Scheduled' ELSE 'Retry' END,
         lease_until = NULL, next_send_time = now(), updated_at = now()
     FROM expired e
     WHERE t.id = e.id
     RETURNING ${columns.map((column) => `t.${column}`).join(', ')}`,
    [limit],
  );
}
