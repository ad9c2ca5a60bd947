import type { PubSubConfig } from '@caravan/domain';
import { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveGuardedEndpoint } from './broker-connections.helper';
import { InFlightTracker } from './in-flight.tracker';
import type { ConsumerContext, SourceConsumer } from './source-consumer.interface';

type GoogleSourceConfig = NonNullable<PubSubConfig['google']>;

/**
 * How long acks wait to be sent together. The client frees a message's flow-control slot only
 * once its ack batch is sent, so at the library's 100 ms a worker handled at most `prefetch`
 * messages per 100 ms (about 700/s for 4 workers at prefetch 20, `npm run bench -- --ingest`).
 */
const ACK_BATCH_MS = 10;

/**
 * A streaming pull on the source's subscription; workers and replicas on one subscription
 * share its messages (Pub/Sub hands each to one of them while its lease is held). Flow control
 * caps the messages held at once. A message is acked after its event is committed. A refused
 * one is nacked when the subscription has a dead-letter policy (Pub/Sub forwards it after
 * max_delivery_attempts), otherwise acked with a logged reason so it cannot block the rest.
 * A transient failure nacks it after the retry delay, so Pub/Sub redelivers it.
 */
export class GoogleSourceConsumer implements SourceConsumer {
  private client?: PubSub;
  private subscription?: Subscription;
  private deadLetters = false;
  private stopping = false;
  private reopening = false;
  private readonly inFlight = new InFlightTracker();

  constructor(private readonly context: ConsumerContext) {}

  private get config(): GoogleSourceConfig {
    const config = this.context.binding.source.pubSub?.google;
    if (!config) throw new Error(`source ${this.context.binding.source.id} has no google config`);
    return config;
  }

  async start(): Promise<void> {
    const config = this.config;
    this.client = new PubSub({
      projectId: config.project_id,
      ...(config.endpoint
        ? { apiEndpoint: await resolveGuardedEndpoint(this.context.guard, config.endpoint), emulatorMode: true }
        : { credentials: serviceAccount(config.service_account) }),
    });
    const subscription = this.client.subscription(config.subscription_id, {
      flowControl: { maxMessages: this.context.settings.prefetch, allowExcessMessages: false },
      batching: { maxMilliseconds: ACK_BATCH_MS },
    });
    this.subscription = subscription;
    subscription.on('message', (message: Message) => this.inFlight.track(this.handle(message)));
    subscription.on('error', (error: Error) => this.failed(subscription, error));
    this.checkSubscription(subscription);
  }

  /** Reads the subscription's dead-letter policy; reachable means the worker runs (the stream's own error says otherwise). */
  private checkSubscription(subscription: Subscription): void {
    subscription
      .getMetadata()
      .then(([metadata]) => {
        this.deadLetters = Boolean(metadata.deadLetterPolicy?.deadLetterTopic);
        if (!this.stopping && !this.reopening) this.context.status.up();
      })
      .catch((error: Error) => {
        if (!this.stopping) this.context.status.down(error.message);
      });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.inFlight.drain(this.context.settings.drainTimeoutMs);
    await this.subscription?.close().catch(() => undefined);
    await this.client?.close().catch(() => undefined);
  }

  /** The client gave up on the stream (subscription missing, emulator down…): reopen it later. */
  private failed(subscription: Subscription, error: Error): void {
    if (this.stopping) return;
    this.context.metrics.consumerErrors.inc({ source_type: 'google' });
    this.context.status.down(error.message);
    this.context.logger.warn(
      { subscription: this.config.subscription_id, err: error },
      'subscription failed; reopening',
    );
    if (this.reopening) return;
    this.reopening = true;
    void (async () => {
      await subscription.close().catch(() => undefined);
      await sleep(this.context.settings.retryDelayMs);
      this.reopening = false;
      if (this.stopping) return;
      this.context.status.restarting();
      subscription.open();
      this.checkSubscription(subscription);
    })();
  }

  private async handle(message: Message): Promise<void> {
    if (this.stopping) {
      message.nack();
      return;
    }
    const where = `google subscription ${this.config.subscription_id} message ${message.id} (delivery ${message.deliveryAttempt || 1})`;
    try {
      const outcome = await this.context.ingestor.ingest(this.context.binding, {
        body: message.data,
        attributes: { ...message.attributes },
        where,
        identity: message.id ? `pubsub:${message.id}` : null,
      });
      if (outcome.accepted || !this.deadLetters) message.ack();
      else message.nack();
    } catch (error) {
      this.context.logger.warn(
        { where, err: error, retry_in_ms: this.context.settings.retryDelayMs },
        'message not ingested; redelivered later',
      );
      if (!this.stopping) await sleep(this.context.settings.retryDelayMs);
      message.nack();
    }
  }
}

/** The service account key JSON, stored base64-encoded (Convoy's []byte on the wire). */
function serviceAccount(encoded: string): { client_email: string; private_key: string } {
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const key = JSON.parse(text) as { client_email?: string; private_key?: string };
  if (!key.client_email || !key.private_key) {
    throw new Error('service_account must be a service account key (client_email, private_key)');
  }
  return { client_email: key.client_email, private_key: key.private_key };
}
