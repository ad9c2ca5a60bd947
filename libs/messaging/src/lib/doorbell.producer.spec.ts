import { Kafka, logLevel } from 'kafkajs';
import { sharedKafkaBrokers } from '@caravan/testing';
import { DoorbellProducer } from './doorbell.producer';

/** Against the real broker: batching must not lose, reorder per key, or mis-route doorbells. */
describe('DoorbellProducer', () => {
  jest.setTimeout(60_000);
  const kafka = new Kafka({ brokers: [sharedKafkaBrokers()], logLevel: logLevel.NOTHING });
  const topic = `doorbell.spec.${Date.now().toString(36)}`;
  const admin = kafka.admin();
  let producer: DoorbellProducer;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] });
    producer = new DoorbellProducer(kafka);
  });

  afterAll(async () => {
    await producer.onApplicationShutdown();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('delivers every doorbell of concurrent rings, in order per key', async () => {
    const rings = Array.from({ length: 50 }, (_, index) =>
      producer.ring(topic, [{ key: `endpoint-${index % 5}`, value: { seq: index } }]),
    );
    await Promise.all(rings);

    const consumer = kafka.consumer({ groupId: `${topic}.reader` });
    const received: Array<{ key: string; seq: number }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push({
            key: String(message.key),
            seq: (JSON.parse(String(message.value)) as { seq: number }).seq,
          });
          if (received.length === 50) resolve();
        },
      });
    });
    await done;
    await consumer.disconnect();

    expect(received.map((entry) => entry.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, index) => index),
    );
    for (let key = 0; key < 5; key++) {
      const forKey = received.filter((entry) => entry.key === `endpoint-${key}`).map((e) => e.seq);
      expect(forKey).toEqual([...forKey].sort((a, b) => a - b));
    }
  });

  it('rejects the rings of a batch that Kafka refuses', async () => {
    await expect(
      producer.ring(`missing.topic.${Date.now().toString(36)}`, [{ key: 'k', value: {} }]),
    ).rejects.toThrow();
  });
});
