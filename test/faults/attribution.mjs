// Charging what the fault suite saw to its causes: each repeated delivery by the ids the
// receiver was sent (not by the time window it arrived in), and each late delivery to the
// fault that held it up.

/** A repeat of a delivery the receiver already had (same X-Convoy-Delivery-ID) after a dispatcher kill between the copies. */
export const RESENT_AFTER_DISPATCHER_KILL = 'resent_after_dispatcher_kill';
/** A repeat of a delivery with no dispatcher kill between the copies: its claim lapsed while its sender lived. */
export const RESENT_LEASE_LAPSED = 'resent_lease_lapsed';
/** Another delivery (another X-Convoy-Delivery-ID) of the same event: routed twice. */
export const ROUTED_TWICE = 'routed_twice';
/** The same payload as another event (another X-Convoy-Event-ID): ingested twice. */
export const INGESTED_TWICE = 'ingested_twice';
export const CAUSES = [RESENT_AFTER_DISPATCHER_KILL, RESENT_LEASE_LAPSED, ROUTED_TWICE, INGESTED_TWICE];

const DISPATCHER_KILL = 'SIGKILL dispatcher';

/**
 * The index of the fault that disrupted work done between `from` and `to` (ms): the first one
 * injected in (from − 1 s, to], else the last one injected before `from` (still in effect);
 * -1 when there is none.
 */
export function faultBetween(faults, from, to) {
  const during = faults.findIndex((fault) => fault.at > from - 1_000 && fault.at <= to);
  if (during >= 0) return during;
  return faults.findLastIndex((fault) => fault.at <= from);
}

/**
 * Every repeated delivery, one record each, charged to its cause by the ids the receiver saw.
 * `deliveries` maps a token to `{ receipts: [{ at, eventId, deliveryId }] }` in arrival order;
 * `faults` are `{ name, at }` in injection order.
 */
export function attributeDuplicates(deliveries, faults) {
  const duplicates = [];
  for (const [token, { receipts }] of deliveries) {
    const lastByDelivery = new Map();
    const firstByEvent = new Map();
    receipts.forEach((receipt, index) => {
      const previous = lastByDelivery.get(receipt.deliveryId);
      const sameEvent = firstByEvent.get(receipt.eventId);
      if (index > 0) {
        let cause;
        let fault;
        if (previous !== undefined) {
          // The first copy was sent, then the row was handed out again: its outcome was never
          // written. A dispatcher killed between the two copies explains it; otherwise the claim
          // lapsed while its sender lived.
          fault = faults.findIndex((f) => f.name === DISPATCHER_KILL && f.at >= previous.at && f.at <= receipt.at);
          cause = fault >= 0 ? RESENT_AFTER_DISPATCHER_KILL : RESENT_LEASE_LAPSED;
          if (fault < 0) fault = faultBetween(faults, previous.at, receipt.at);
        } else if (sameEvent !== undefined) {
          cause = ROUTED_TWICE;
          fault = faultBetween(faults, sameEvent.at, receipt.at);
        } else {
          cause = INGESTED_TWICE;
          fault = faultBetween(faults, receipts[0].at, receipt.at);
        }
        duplicates.push({
          token,
          cause,
          fault,
          firstAt: (previous ?? sameEvent ?? receipts[0]).at,
          at: receipt.at,
          eventId: receipt.eventId,
          deliveryId: receipt.deliveryId,
        });
      }
      lastByDelivery.set(receipt.deliveryId, receipt);
      if (sameEvent === undefined) firstByEvent.set(receipt.eventId, receipt);
    });
  }
  return duplicates;
}

/** Counts per cause, every cause named (0 when none). */
export function countByCause(duplicates) {
  const counts = Object.fromEntries(CAUSES.map((cause) => [cause, 0]));
  for (const duplicate of duplicates) counts[duplicate.cause] += 1;
  return counts;
}
