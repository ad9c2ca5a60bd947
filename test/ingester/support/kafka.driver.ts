import { PubSubConfig, PubSubType } from '@caravan/domain';
import { sharedKafkaBrokers } from '@caravan/testing';
import { Admin, Kafka, logLevel, Producer } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import type { BrokerDriver } from './broker-driver';

/** Kafka through kafkajs on the shared broker; topics named per test. */
export class KafkaDriver implements BrokerDriver {
  readonly type = PubSubType.Kafka;
  private readonly kafka = new Kafka({
    clientId: 'ingester-test',
    brokers: [sharedKafkaBrokers()],
    logLevel: logLevel.NOTHING,
  });
  private readonly topics: string[] = [];
  private admin?: Admin;
  private producer?: Promise<Producer>;

  channelName(): string {
    return `test.ingester.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;
  }

  async createChannel(topic = this.channelName()): Promise<string> {
    this.admin ??= this.kafka.admin();
    await this.admin.connect();
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 2, replicationFactor: 1 }],
    });
    this.topics.push(topic);
    return topic;
  }

  pubSubConfig(topic: string): PubSubConfig {
    return {
      type: PubSubType.Kafka,
      workers: 1,
      kafka: { brokers: [sharedKafkaBrokers()], topic_name: topic, consumer_group_id: `test.group.${topic}` },
    };
  }

  async publish(topic: string, body: string, attributes: Record<string, string> = {}): Promise<void> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer();
      await producer.connect();
      return producer;
    })();
    await (await this.producer).send({ topic, messages: [{ value: body, headers: attributes }] });
  }

  async close(): Promise<void> {
    await (await this.producer)?.disconnect();
    if (this.admin) {
      await this.admin.deleteTopics({ topics: this.topics }).catch(() => undefined);
      await this.admin.disconnect();
    }
  }
}
