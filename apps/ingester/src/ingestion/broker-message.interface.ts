import type { RejectionKind } from './ingester.metrics';

/** One message as every consumer hands it over, whatever the broker. */
export interface BrokerMessage {
  body: Buffer;
  /** Message attributes / headers, as strings (non-string broker values already rendered). */
  attributes: Record<string, string>;
  /** Where it came from, for logs: e.g. `kafka topic orders partition 2 offset 17`. */
  where: string;
  /**
   * The broker's identity of the message, the same on every redelivery (Kafka topic/partition/
   * offset, SQS/Pub/Sub/AMQP message id); null when the broker gives none (AMQP without
   * message_id). Becomes the event's idempotency key when the message names none.
   */
  identity: string | null;
}

/** What became of a message: committed as an event, or refused for good (never retried). */
export type IngestOutcome = { accepted: true } | { accepted: false; kind: RejectionKind; reason: string };
