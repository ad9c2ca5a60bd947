/**
 * Why the intake refused an event, as a reason code each caller maps to its own answer:
 * the api to an HTTP status in Convoy's envelope (apps/api/src/common/api-exception.filter.ts),
 * the ingester to a refused message that is dead-lettered or nacked with the reason
 * (apps/ingester/src/ingestion/message-ingestor.service.ts).
 *   invalid           the event is malformed or names what the project does not have (`field` says which)
 *   project-not-found the project is gone
 *   too-large         the body is over the project's `max_payload_read_size`
 */
export type EventRejection = 'invalid' | 'project-not-found' | 'too-large';

export class EventRejectedError extends Error {
  constructor(
    readonly reason: EventRejection,
    message: string,
    /** The request field at fault, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'EventRejectedError';
  }
}
