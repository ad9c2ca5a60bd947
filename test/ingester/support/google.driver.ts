import { PubSubConfig, PubSubType } from '@caravan/domain';
import { PubSub, Topic } from '@google-cloud/pubsub';
import { randomBytes } from 'node:crypto';
import type { BrokerDriver } from './broker-driver';

const EMULATOR = process.env['CARAVAN_TEST_PUBSUB_HOST'] ?? '127.0.0.1:8085';
const PROJECT_ID = 'caravan-test';

/** Google Pub/Sub through @google-cloud/pubsub on the official emulator. */
export class GoogleDriver implements BrokerDriver {
  readonly type = PubSubType.Google;
  private readonly client = new PubSub({ projectId: PROJECT_ID, apiEndpoint: EMULATOR, emulatorMode: true });
  /** subscription → its topic */
  private readonly topics = new Map<string, Topic>();

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
