import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { DeliveryStatus, MetaEventStatus, newId, RetryStrategyType, SourceType, VerifierConfig } from '@caravan/domain';
import {
  DeliveryAttemptsRepository,
  EndpointEntity,
  EndpointsRepository,
  EventDeliveriesRepository,
  MetaEventEntity,
  MetaEventsRepository,
  NewSource,
  SourceEntity,
  SourcesRepository,
  SubscriptionEntity,
  SubscriptionsRepository,
} from '@caravan/persistence';

/**
 * Rows the events, deliveries, meta-events and ingest tests need, written through the
 * repositories (the dispatcher, which would create deliveries and attempts, is not running).
 */
export class EventFixtures {
  constructor(private readonly app: INestApplication) {}

  endpoint(projectId: string, fields: Partial<EndpointEntity> = {}): Promise<EndpointEntity> {
    return this.app.get(EndpointsRepository).insert({
      projectId,
      name: fields.name ?? `endpoint-${newId().slice(-6)}`,
      url: fields.url ?? `https://example.com/hooks/${newId()}`,
      secrets: [{ uid: newId(), value: 'endpoint-secret', created_at: new Date().toISOString(), expires_at: null }],
      ...fields,
    });
  }

  subscription(
    projectId: string,
    endpointId: string,
    fields: Partial<SubscriptionEntity> = {},
  ): Promise<SubscriptionEntity> {
    return this.app
      .get(SubscriptionsRepository)
      .insert({ projectId, endpointId, name: `sub-${newId().slice(-6)}`, ...fields });
  }

  source(projectId: string, verifier: VerifierConfig, fields: Partial<NewSource> = {}): Promise<SourceEntity> {
    const maskId = createHash('sha256').update(newId()).digest('hex').slice(0, 16);
    return this.app.get(SourcesRepository).insert({
      projectId,
      name: `source-${maskId}`,
      type: SourceType.Http,
      maskId,
      verifier,
      ...fields,
    });
  }

  /** One delivery of `eventId` to `endpointId` in the given status; returns its id. */
  async delivery(
    projectId: string,
    eventId: string,
    endpointId: string,
    status: DeliveryStatus,
    fields: { eventType?: string; attempts?: number; subscriptionId?: string; nextSendTime?: Date } = {},
  ): Promise<string> {
    const subscriptionId = fields.subscriptionId ?? (await this.subscription(projectId, endpointId)).id;
    const [id] = await this.app.get(EventDeliveriesRepository).insertScheduled([
      {
        id: newId(),
        projectId,
        eventId,
        endpointId,
        subscriptionId,
        eventType: fields.eventType ?? 'invoice.paid',
        status,
        description: `fixture ${status}`,
        attempts: fields.attempts ?? 0,
        retryLimit: 3,
        strategy: RetryStrategyType.Linear,
        intervalSeconds: 10,
        nextSendTime: fields.nextSendTime ?? new Date(Date.now() + 3_600_000),
      },
    ]);
    return id;
  }

  async attempt(projectId: string, deliveryId: string, endpointId: string, httpStatus: number | null): Promise<string> {
    const [id] = await this.app.get(DeliveryAttemptsRepository).insertMany([
      {
        projectId,
        eventDeliveryId: deliveryId,
        endpointId,
        url: 'https://example.com/hooks',
        method: 'POST',
        ipAddress: '93.184.216.34:443',
        requestHttpHeader: { 'Content-Type': ['application/json'], 'X-Multi': ['a', 'b'] },
        responseHttpHeader: { Server: ['nginx'] },
        httpStatus,
        responseData: httpStatus === null ? '' : 'ok',
        error: httpStatus === null ? 'connect ECONNREFUSED' : null,
        success: httpStatus !== null && httpStatus < 300,
        latencyMs: 12,
      },
    ]);
    return id;
  }

  metaEvent(projectId: string, status: MetaEventStatus = MetaEventStatus.Scheduled): Promise<MetaEventEntity> {
    return this.app.get(MetaEventsRepository).insert({
      projectId,
      eventType: 'endpoint.created',
      payload: Buffer.from(JSON.stringify({ event_type: 'endpoint.created', data: { uid: newId() } }), 'utf8'),
      retryLimit: 3,
      status,
    });
  }
}

export interface Doorbells {
  messages: Array<{ key: string; value: Record<string, string> }>;
  stop(): Promise<void>;
}

/** Consumes `topic` from the beginning into `messages` until stopped. */
export async function collectDoorbells(kafka: Kafka, topic: string): Promise<Doorbells> {
  const consumer = kafka.consumer({ groupId: `test-${newId()}` });
  const messages: Doorbells['messages'] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push({ key: message.key?.toString() ?? '', value: JSON.parse(message.value?.toString() ?? 'null') });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

/** Polls until `check` returns a value that is not undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<Exclude<T, undefined | null | false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined && result !== false && result !== null)
      return result as Exclude<T, undefined | null | false>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
