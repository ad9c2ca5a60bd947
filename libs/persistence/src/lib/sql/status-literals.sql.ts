import { CLAIMABLE_STATUSES, DeliveryStatus, EndpointStatus, EventStatus, MetaEventStatus } from '@caravan/domain';

/**
 * The domain's status constants as SQL literals, so no statement spells a status by hand. They
 * are written into the statement text rather than bound: the partial indexes on
 * `status IN ('Scheduled','Retry')` and `status = 'Processing'` (initial-schema migration) are
 * only used when the predicate is visible to the planner of a prepared statement.
 */
export function sqlLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A parenthesised list of literals, for `IN (...)`. */
export function sqlList(values: readonly string[]): string {
  return `(${values.map(sqlLiteral).join(', ')})`;
}

function literals<T extends Record<string, string>>(values: T): { readonly [K in keyof T]: string } {
  return Object.freeze(Object.fromEntries(Object.entries(values).map(([key, value]) => [key, sqlLiteral(value)]))) as {
    readonly [K in keyof T]: string;
  };
}

export const DELIVERY = literals(DeliveryStatus);
export const EVENT = literals(EventStatus);
export const META_EVENT = literals(MetaEventStatus);
export const ENDPOINT = literals(EndpointStatus);

/** The statuses a sender may claim (CLAIMABLE_STATUSES), as `(…)` for `status IN`. */
export const CLAIMABLE_IN = sqlList(CLAIMABLE_STATUSES);
/** Meta events are claimable in the same statuses. */
export const META_CLAIMABLE_IN = sqlList([MetaEventStatus.Scheduled, MetaEventStatus.Retry]);
