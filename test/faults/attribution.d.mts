// Types of attribution.mjs, for its spec.
export interface Receipt {
  at: number;
  eventId: string;
  deliveryId: string;
}
export interface InjectedFault {
  name: string;
  at: number;
}
export type Cause = 'resent_after_dispatcher_kill' | 'resent_lease_lapsed' | 'routed_twice' | 'ingested_twice';
export interface Duplicate {
  token: string;
  cause: Cause;
  fault: number;
  firstAt: number;
  at: number;
  eventId: string;
  deliveryId: string;
}
export const RESENT_AFTER_DISPATCHER_KILL: 'resent_after_dispatcher_kill';
export const RESENT_LEASE_LAPSED: 'resent_lease_lapsed';
export const ROUTED_TWICE: 'routed_twice';
export const INGESTED_TWICE: 'ingested_twice';
export const CAUSES: Cause[];
export function faultBetween(faults: readonly InjectedFault[], from: number, to: number): number;
export function attributeDuplicates(
  deliveries: ReadonlyMap<string, { receipts: readonly Receipt[] }>,
  faults: readonly InjectedFault[],
): Duplicate[];
export function countByCause(duplicates: readonly Duplicate[]): Record<Cause, number>;
