import { PubSubConfig, PubSubType } from '@caravan/domain';
import { Message, PubSub, Topic } from '@google-cloud/pubsub';
import { randomBytes } from 'node:crypto';
import { BrokerDriver, DRAIN_PREFETCH, DrainCounter, DrainTiming } from './broker-driver';

const EMULATOR = process.env['CARAVAN_TEST_PUBSUB_HOST'] ?? '127.0.0.1:8085';
const PROJECT_ID = 'caravan-test';

/** Google Pub/Sub through @google-cloud/pubsub on the official emulator. */
export class GoogleDriver implements BrokerDriver {
  readonly type = PubSubType.Google;
  private readonly client = new PubSub({ projectId: PROJECT_ID, apiEndpoint: EMULATOR, emulatorMode: true });
  /** subscription → its topic */
  private readonly topics = new Map<string, Topic>();
  /** The emulator's JVM (its pidfile names gcloud, the leader of the group the JVM is in). */
  readonly brokerProcess = {
    pidfile: 'pubsub/pubsub.pid',
    pidfileIsGroupLeader: true,
    executable: 'java',
    contains: ['cloud-pubsub-emulator'],
  };

  channelName(): string {
    return `test-ingester-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  }

  async createChannel(name = this.channelName()): Promise<string> {
    const [topic] = await this.client.createTopic(`${name}-topic`);
    await topic.createSubscription(name, { ackDeadlineSeconds: 10 });
    this.topics.set(name, topic);
    return name;
  }

  pubSubConfig(subscription: string): PubSubConfig {
    return {
      type: PubSubType.Google,
      workers: 1,
      google: { project_id: PROJECT_ID, subscription_id: subscription, service_account: '', endpoint: EMULATOR },
    };
  }

  async publish(subscription: string, body: string, attributes: Record<string, string> = {}): Promise<void> {
    const topic = this.topics.get(subscription);
    if (!topic) throw new Error(`no topic for ${subscription}`);
    await topic.publishMessage({ data: Buffer.from(body), attributes });
  }

  /**
   * `concurrency` streaming pulls, each with its own client as each ingester worker has, with
   * the ingester's flow control; each message is acked as it arrives.
   */
  async drain(subscriptionName: string, count: number, concurrency: number): Promise<DrainTiming> {
    const counter = new DrainCounter(count);
    const clients = Array.from(
      { length: concurrency },
      () => new PubSub({ projectId: PROJECT_ID, apiEndpoint: EMULATOR, emulatorMode: true }),
    );
    const subscriptions = clients.map((client) =>
      client.subscription(subscriptionName, {
        flowControl: { maxMessages: DRAIN_PREFETCH, allowExcessMessages: false },
        // As the ingester's consumer: acks sent every 10 ms (the library's 100 ms caps throughput).
        batching: { maxMilliseconds: 10 },
      }),
    );
    const failed = new Promise<never>((_, reject) => {
      for (const subscription of subscriptions) {
        subscription.on('message', (message: Message) => {
          message.ack();
          counter.seen(message.id);
        });
        subscription.on('error', reject);
      }
    });
    try {
      return await Promise.race([counter.done, failed]);
    } finally {
      // Closing flushes the acks the client batches.
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
      await Promise.all(clients.map((client) => client.close()));
    }
  }

  async close(): Promise<void> {
    for (const [subscription, topic] of this.topics) {
      await this.client
        .subscription(subscription)
        .delete()
        .catch(() => undefined);
      await topic.delete().catch(() => undefined);
    }
    await this.client.close();
  }
}
