import { PubSubConfig, PubSubType } from '@caravan/domain';
import { sharedKafkaBrokers } from '@caravan/testing';
import { Admin, Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { BrokerDriver, DrainCounter, DrainTiming } from './broker-driver';

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
  readonly brokerProcess = { pidfile: 'kafka/kafka.pid', executable: 'java', contains: ['kafka.Kafka'] };

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

  /**
   * `concurrency` consumers in one fresh group, as the ingester's workers are (only as many as
   * the topic has partitions get any); eachBatch resolves every message of the batch.
   */
  async drain(topic: string, count: number, concurrency: number): Promise<DrainTiming> {
    const counter = new DrainCounter(count);
    const groupId = `test.drain.${topic}`;
    const consumers: Consumer[] = Array.from({ length: concurrency }, () =>
      this.kafka.consumer({ groupId, allowAutoTopicCreation: false }),
    );
    try {
      await Promise.all(
        consumers.map(async (consumer) => {
          await consumer.connect();
          await consumer.subscribe({ topic, fromBeginning: true });
          await consumer.run({
            eachBatch: async ({ batch, resolveOffset }) => {
              for (const message of batch.messages) {
                counter.seen(`${batch.partition}:${message.offset}`);
                resolveOffset(message.offset);
              }
            },
          });
        }),
      );
      return await counter.done;
    } finally {
      await Promise.all(consumers.map((consumer) => consumer.disconnect()));
      this.admin ??= this.kafka.admin();
      await this.admin.deleteGroups([groupId]).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await (await this.producer)?.disconnect();
    if (this.admin) {
      await this.admin.deleteTopics({ topics: this.topics }).catch(() => undefined);
      await this.admin.disconnect();
    }
  }
}
