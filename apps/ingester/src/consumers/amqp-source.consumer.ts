import type { PubSubConfig } from '@caravan/domain';
import { Channel, ChannelModel, connect, ConsumeMessage, RecoveringChannelModel } from 'amqplib';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringAttributes } from './broker-attributes.helper';
import { InFlightTracker } from './in-flight.tracker';
import type { ConsumerContext, SourceConsumer } from './source-consumer.interface';

type AmqpSourceConfig = NonNullable<PubSubConfig['amqp']>;

/**
 * A competing consumer on the source's queue, declared as Convoy declares it (durable, with
 * `x-dead-letter-exchange` when the source names one, bound to `bindExchange`). At most
 * `prefetch` unacknowledged messages at a time; a message is acked after its event is
 * committed, and a refused one is nacked without requeue, so RabbitMQ routes it to the
 * dead-letter exchange (or drops it when there is none; the reason is logged either way).
 * amqplib's connection recovery reconnects after a broker restart and runs the set-up again;
 * messages unacked on the lost channel are redelivered by the broker.
 */
export class AmqpSourceConsumer implements SourceConsumer {
  private connection?: RecoveringChannelModel;
  private channel?: Channel;
  private consumerTag?: string;
  private stopping = false;
  private readonly inFlight = new InFlightTracker();

  constructor(private readonly context: ConsumerContext) {}

  private get config(): AmqpSourceConfig {
    const config = this.context.binding.source.pubSub?.amqp;
    if (!config) throw new Error(`source ${this.context.binding.source.id} has no amqp config`);
    return config;
  }

  async start(): Promise<void> {
    const config = this.config;
    const sourceId = this.context.binding.source.id;
    const refusal = this.context.guard.refuseHost(config.host);
    if (refusal) throw new Error(refusal);
    this.connection = await connect(
      {
        protocol: config.schema || 'amqp',
        hostname: config.host,
        port: Number(config.port),
        vhost: config.vhost || '/',
        username: config.auth?.user || 'guest',
        password: config.auth?.password || 'guest',
        heartbeat: 15,
      },
      {
        lookup: this.context.guard.lookup,
        clientProperties: { connection_name: `caravan-ingester source ${sourceId} worker ${this.context.worker}` },
        recovery: {
          waitForConnect: false,
          initialDelay: 250,
          maxDelay: 10_000,
          setup: (model: ChannelModel) => this.setup(model),
        },
      },
    );
    const problem =
      (what: string, fields: Record<string, unknown> = {}) =>
      (error: Error) => {
        if (this.stopping) return;
        this.context.metrics.consumerErrors.inc({ source_type: 'amqp' });
        this.context.status.down(`${what}: ${error.message}`);
        this.context.logger.warn({ ...fields, err: error }, `${what}; reconnecting`);
      };
    this.connection.on('disconnect', problem('connection lost'));
    this.connection.on(
      'connect-failed',
      problem('cannot consume the queue', { queue: config.queue, host: config.host, port: config.port }),
    );
    this.connection.on('error', problem('connection error'));
    // Each reconnection after a loss or a failed set-up is a restart; running again once set up.
    this.connection.on('reconnect-scheduled', () => {
      if (!this.stopping) this.context.status.restarting();
    });
    this.connection.on('connect', () => this.context.status.up());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.channel && this.consumerTag) await this.channel.cancel(this.consumerTag).catch(() => undefined);
    await this.inFlight.drain(this.context.settings.drainTimeoutMs);
    await this.connection?.close().catch(() => undefined);
  }

  /** Runs on every (re)connection: one channel, the queue's topology, then consume. */
  private async setup(model: ChannelModel): Promise<void> {
    const config = this.config;
    const channel = await model.createChannel();
    channel.on('error', () => undefined); // a channel error closes the channel; 'close' handles it
    channel.on('close', () => {
      // A channel closed by the broker (not by us) with the connection still up: reconnect.
      if (!this.stopping && this.channel === channel) model.close().catch(() => undefined);
    });
    await channel.prefetch(this.context.settings.prefetch);
    await channel.assertQueue(config.queue, {
      durable: true,
      ...(config.deadLetterExchange ? { arguments: { 'x-dead-letter-exchange': config.deadLetterExchange } } : {}),
    });
    if (config.bindExchange?.exchange) {
      await channel.bindQueue(config.queue, config.bindExchange.exchange, config.bindExchange.routingKey ?? '');
    }
    this.channel = channel;
    const { consumerTag } = await channel.consume(
      config.queue,
      (message) => {
        if (message) this.inFlight.track(this.handle(channel, message));
      },
      { noAck: false },
    );
    this.consumerTag = consumerTag;
  }

  private async handle(channel: Channel, message: ConsumeMessage): Promise<void> {
    const where = `amqp queue ${this.config.queue} delivery ${message.fields.deliveryTag}${message.fields.redelivered ? ' (redelivered)' : ''}`;
    for (;;) {
      try {
        const outcome = await this.context.ingestor.ingest(this.context.binding, {
          body: message.content,
          attributes: stringAttributes(message.properties.headers),
          where,
          identity: message.properties.messageId ? `amqp:${String(message.properties.messageId)}` : null,
        });
        settle(() => (outcome.accepted ? channel.ack(message) : channel.nack(message, false, false)));
        return;
      } catch (error) {
        this.context.logger.warn(
          { where, err: error, retry_in_ms: this.context.settings.retryDelayMs },
          'message not ingested; retrying',
        );
        if (!this.stopping) await sleep(this.context.settings.retryDelayMs);
        if (this.stopping) {
          settle(() => channel.nack(message, false, true));
          return;
        }
      }
    }
  }
}

/** An ack or nack on a channel that has closed meanwhile fails; the broker redelivers the message then. */
function settle(action: () => void): void {
  try {
    action();
  } catch {
    // the channel is gone: the message was requeued by the broker
  }
}
