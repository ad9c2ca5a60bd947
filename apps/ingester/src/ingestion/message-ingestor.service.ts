import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { CLOCK, Clock, parsePubSubMessage, systemClock } from '@caravan/domain';
import { EventRejectedError, IntakeService } from '@caravan/intake';
import { SpanKind, contextFromHeaders, inSpan } from '@caravan/observability';
import type { SourceBinding } from '../sources/source-binding.interface';
import { TransformFailedError } from '@caravan/sandbox';
import type { BrokerMessage, IngestOutcome } from './broker-message.interface';
import { IngesterMetrics, RejectionKind } from './ingester.metrics';

/**
 * Turns one broker message into an event, the same way for every broker: transforms
 * (header_function, body_function), the message contract, then the one intake. Resolves
 * with the outcome once the event is committed or the message is refused for good (a message
 * without an idempotency key gets one from its broker identity, see implicitIdempotencyKey); throws
 * when the failure is transient (Postgres unreachable…), so the consumer leaves the message
 * on the broker to be redelivered.
 */
@Injectable()
export class MessageIngestor {
  private readonly logger = new Logger(MessageIngestor.name);

  constructor(
    private readonly intake: IntakeService,
    private readonly metrics: IngesterMetrics,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  /**
   * In a CONSUMER span `ingest <broker>`: a child of the message's own `traceparent` attribute
   * when its producer sent one, else the root of the event's trace.
   */
  ingest(binding: SourceBinding, message: BrokerMessage): Promise<IngestOutcome> {
    const sourceType = binding.source.pubSub?.type ?? 'unknown';
    return inSpan(
      `ingest ${sourceType}`,
      {
        kind: SpanKind.CONSUMER,
        parent: contextFromHeaders(message.attributes),
        attributes: {
          'messaging.system': sourceType,
          'messaging.operation.type': 'process',
          'caravan.project.id': binding.project.id,
          'caravan.source.id': binding.source.id,
        },
      },
      async (span) => {
        const outcome = await this.ingestMessage(binding, message, sourceType);
        span?.setAttribute('caravan.ingest.outcome', outcome.accepted ? 'accepted' : outcome.kind);
        return outcome;
      },
    );
  }

  private async ingestMessage(
    binding: SourceBinding,
    message: BrokerMessage,
    sourceType: string,
  ): Promise<IngestOutcome> {
    this.metrics.received.inc({ source_type: sourceType });
    const stopTimer = this.metrics.processing.startTimer({ source_type: sourceType });
    try {
      const outcome = await this.process(binding, message);
      if (outcome.accepted) {
        this.metrics.accepted.inc({ source_type: sourceType });
      } else {
        this.metrics.rejected.inc({ source_type: sourceType, reason: outcome.kind });
        this.logger.warn(
          {
            project_id: binding.project.id,
            source_id: binding.source.id,
            source_type: sourceType,
            where: message.where,
            refusal: outcome.kind,
            reason: outcome.reason,
          },
          'refused a message',
        );
      }
      return outcome;
    } catch (error) {
      this.metrics.consumerErrors.inc({ source_type: sourceType });
      throw error;
    } finally {
      stopTimer();
    }
  }

  private async process(binding: SourceBinding, message: BrokerMessage): Promise<IngestOutcome> {
    let body: Buffer;
    let attributes: Record<string, string>;
    try {
      attributes = await binding.transforms.applyToHeaders(message.attributes);
      body = await binding.transforms.applyToBody(message.body);
    } catch (error) {
      if (error instanceof TransformFailedError) return refused('transform', error.message);
      throw error;
    }
    const parsed = parsePubSubMessage(body, attributes);
    if (!parsed.ok) return refused('malformed', parsed.reason);
    const { message: contract } = parsed;
    try {
      await this.intake.accept({
        project: binding.project,
        route: contract.route,
        eventType: contract.eventType,
        raw: contract.data,
        headers: contract.headers,
        idempotencyKey: contract.idempotencyKey ?? implicitIdempotencyKey(binding, message),
        sourceId: binding.source.id,
        acknowledgedAt: new Date(this.clock.now()),
      });
      return { accepted: true };
    } catch (error) {
      if (error instanceof EventRejectedError) return refused('refused', error.message);
      throw error;
    }
  }
}

/** Longest implicit key kept whole; longer ones (a very long AMQP message id) are hashed. */
const MAX_IMPLICIT_KEY = 512;

/**
 * A message that names no idempotency key gets one from the broker's identity of it, scoped
 * to its source: a message redelivered after a crash (offset not committed, ack lost) is then
 * stored as a duplicate, never as a second event.
 */
export function implicitIdempotencyKey(binding: SourceBinding, message: BrokerMessage): string | null {
  if (!message.identity) return null;
  const key = `source:${binding.source.id}:${message.identity}`;
  return key.length <= MAX_IMPLICIT_KEY
    ? key
    : `source:${binding.source.id}:sha256:${createHash('sha256').update(message.identity).digest('hex')}`;
}

function refused(kind: RejectionKind, reason: string): IngestOutcome {
  return { accepted: false, kind, reason };
}
