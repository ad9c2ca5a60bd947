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
