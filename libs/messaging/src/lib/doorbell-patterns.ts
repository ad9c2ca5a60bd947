/**
 * The `@EventPattern`s of Caravan's two doorbell topics. A pattern names the topic's role; the
 * topic itself is configured (`CARAVAN_KAFKA_EVENTS_TOPIC`, `CARAVAN_KAFKA_DELIVERIES_TOPIC`) and
 * bound to its pattern where the transport is built.
 */
export const DoorbellPattern = {
  /** Events accepted and committed, waiting to be routed. */
  events: 'caravan.events',
  /** Deliveries (and meta events) waiting to be sent. */
  deliveries: 'caravan.deliveries',
} as const;
