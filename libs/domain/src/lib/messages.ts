/**
 * Kafka message contracts. A message is a doorbell: it names a row to look at now; the row
 * in Postgres holds the state, so a lost or repeated message never loses or doubles work.
 */
export interface EventDoorbell {
  project_id: string;
  event_id: string;
}

export interface DeliveryDoorbell {
  project_id: string;
  endpoint_id: string;
  delivery_id: string;
  /** `delivery` for event deliveries, `meta` for meta-event deliveries. */
  kind: 'delivery' | 'meta';
}
