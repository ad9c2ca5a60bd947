/** A subscription's filter: event types plus Convoy-style body and header filters. */
export interface FilterConfig {
  event_types: string[];
  filter: {
    headers: Record<string, unknown>;
    body: Record<string, unknown>;
    is_flattened?: boolean;
  };
}

export const CATCH_ALL_EVENT_TYPE = '*';

/**
 * Which of a subscription's per-event-type filters applies to an event: the one for its
 * exact type, else the one for `*`; undefined when neither exists, and the subscription's own
 * filter then applies. The router and the filter tester both decide through this.
 */
export function filterForEventType<T extends { eventType: string }>(
  eventType: string,
  filters: readonly T[],
): T | undefined {
  return (
    filters.find((filter) => filter.eventType === eventType) ??
    filters.find((filter) => filter.eventType === CATCH_ALL_EVENT_TYPE)
  );
}
