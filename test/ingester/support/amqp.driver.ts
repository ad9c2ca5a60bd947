import { PubSubConfig, PubSubType } from '@caravan/domain';
import { ChannelModel, ConfirmChannel, connect } from 'amqplib';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { BrokerDriver, DRAIN_PREFETCH, DrainCounter, DrainTiming } from './broker-driver';

const HOST = process.env['CARAVAN_TEST_AMQP_HOST'] ?? '127.0.0.1';
const PORT = process.env['CARAVAN_TEST_AMQP_PORT'] ?? '5672';
const ROUTING_KEY = 'events';
const run = promisify(execFile);

/**
 * AMQP through amqplib on the running RabbitMQ. Each channel is a queue bound to its own
 * exchange, with a dead-letter exchange and a queue collecting what it dead-letters. The
 * queue is declared up front (with the arguments the ingester declares it with), so a message
 * published before the consumer starts is kept.
 */
export class AmqpDriver implements BrokerDriver {
  readonly type = PubSubType.Amqp;
  private connection?: ChannelModel;
  private channel?: Promise<ConfirmChannel>;
  private readonly names: string[] = [];
  /** RabbitMQ's Erlang VM (the machine's server: no pidfile of ours). */
  readonly brokerProcess = { executable: 'beam.smp', contains: ['rabbit'] };

  channelName(): string {
    return `test.ingester.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;
  }

  async createChannel(name = this.channelName()): Promise<string> {
    const channel = await this.open();
    await channel.assertExchange(`${name}.in`, 'direct', { durable: false, autoDelete: false });
    await channel.assertExchange(`${name}.dlx`, 'fanout', { durable: false, autoDelete: false });
    await channel.assertQueue(`${name}.dlq`, { durable: true });
    await channel.bindQueue(`${name}.dlq`, `${name}.dlx`, '');
    await channel.assertQueue(name, { durable: true, arguments: { 'x-dead-letter-exchange': `${name}.dlx` } });
    await channel.bindQueue(name, `${name}.in`, ROUTING_KEY);
    this.names.push(name);
    return name;
  }

  pubSubConfig(queue: string): PubSubConfig {
    return {
      type: PubSubType.Amqp,
      workers: 1,
      amqp: {
        schema: 'amqp',
        host: HOST,
        port: PORT,
        queue,
        auth: { user: 'guest', password: 'guest' },
        bindExchange: { exchange: `${queue}.in`, routingKey: ROUTING_KEY },
        deadLetterExchange: `${queue}.dlx`,
      },
    };
  }

  async publish(queue: string, body: string, attributes: Record<string, string> = {}): Promise<void> {
    const channel = await this.open();
    // A message id, as AMQP producers usually set: it is the message's identity for redelivery
    // (RabbitMQ assigns none; without it a redelivered message cannot be told from a new one).
    channel.publish(`${queue}.in`, ROUTING_KEY, Buffer.from(body), {
      headers: attributes,
      persistent: true,
      messageId: randomBytes(8).toString('hex'),
    });
    await channel.waitForConfirms();
  }

  async deadLettered(queue: string): Promise<string[]> {
    const channel = await this.open();
    const bodies: string[] = [];
    for (;;) {
      const message = await channel.get(`${queue}.dlq`, { noAck: true });
      if (!message) return bodies;
      bodies.push(message.content.toString());
    }
  }

  /**
   * `concurrency` consumers, each on its own connection and channel as each ingester worker is,
   * with the ingester's prefetch; each delivery is acked as it arrives.
   */
  async drain(queue: string, count: number, concurrency: number): Promise<DrainTiming> {
    const counter = new DrainCounter(count);
    const connections = await Promise.all(
      Array.from({ length: concurrency }, () => connect(`amqp://guest:guest@${HOST}:${PORT}`)),
    );
    try {
      for (const connection of connections) {
        const channel = await connection.createChannel();
        await channel.prefetch(DRAIN_PREFETCH);
        await channel.consume(
          queue,
          (message) => {
            if (!message) return;
            channel.ack(message);
            counter.seen(String(message.properties.messageId));
          },
          { noAck: false },
        );
      }
      return await counter.done;
    } finally {
      await Promise.all(connections.map((connection) => connection.close()));
    }
  }

  /**
   * Has RabbitMQ itself close every client connection whose connection_name contains `text`
   * (what a broker restart or a failover does to a client), through rabbitmqctl. Returns how many.
   */
  async dropConnections(text: string): Promise<number> {
    const { stdout } = await run('rabbitmqctl', [
      'list_connections',
      'pid',
      'client_properties',
      '--formatter',
      'json',
      '-q',
    ]);
    const connections = JSON.parse(stdout || '[]') as Array<{
      pid: string;
      client_properties: Array<[string, string, unknown]>;
    }>;
    const doomed = connections.filter(({ client_properties }) =>
      client_properties.some(([key, , value]) => key === 'connection_name' && String(value).includes(text)),
    );
    // JSON shows pids as #PID<node.id.serial>; close_connection wants the listing's <rabbit@host.….id.serial>.
    const listed = (await run('rabbitmqctl', ['list_connections', 'pid', '-q'])).stdout.split('\n');
    for (const { pid } of doomed) {
      const suffix = pid.replace(/^#PID<\d+/, '');
      const full = listed.find((line) => line.trim().endsWith(suffix))?.trim();
      if (full) await run('rabbitmqctl', ['close_connection', full, 'test: the broker drops the connection']);
    }
    return doomed.length;
  }

  async close(): Promise<void> {
    const channel = await this.open();
    for (const name of this.names) {
      await channel.deleteQueue(name).catch(() => undefined);
      await channel.deleteQueue(`${name}.dlq`).catch(() => undefined);
      await channel.deleteExchange(`${name}.in`).catch(() => undefined);
      await channel.deleteExchange(`${name}.dlx`).catch(() => undefined);
    }
    await this.connection?.close();
  }

  private open(): Promise<ConfirmChannel> {
    this.channel ??= (async () => {
      this.connection = await connect(`amqp://guest:guest@${HOST}:${PORT}`);
      return this.connection.createConfirmChannel();
    })();
    return this.channel;
  }
}
