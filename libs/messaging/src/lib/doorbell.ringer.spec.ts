import { Logger } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { deliveryBell, eventBell, metaBell } from '@caravan/domain';
import { sharedKafkaBrokers } from '@caravan/testing';
import { DoorbellProducer } from './doorbell.producer';
import { DoorbellRinger } from './doorbell.ringer';
import type { KafkaSettings } from './kafka-client.factory';

/** Against the real broker: the one "ring after commit" every caller uses. */
describe('DoorbellRinger.afterCommit', () => {
  jest.setTimeout(60_000);
  const kafka = new Kafka({ brokers: [sharedKafkaBrokers()], logLevel: logLevel.NOTHING });
  const suffix = Date.now().toString(36);
  const topics = { events: `ringer.events.${suffix}`, deliveries: `ringer.deliveries.${suffix}` };
  const admin = kafka.admin();
  let producer: DoorbellProducer;

  const ringer = (names: { events: string; deliveries: string }) =>
    new DoorbellRinger(producer, { topics: names } as unknown as KafkaSettings);

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: topics.events, numPartitions: 1 },
        { topic: topics.deliveries, numPartitions: 1 },
      ],
    });
    producer = new DoorbellProducer(kafka);
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await producer.onApplicationShutdown();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  });

  it('rings events and deliveries on their own topics, keyed by the domain', async () => {
    await ringer(topics).afterCommit([
      eventBell({ id: 'ev1', projectId: 'p1' }),
      deliveryBell({ id: 'dl1', projectId: 'p1', endpointId: 'ep1' }),
      metaBell({ id: 'me1', projectId: 'p1' }),
    ]);
    const offsets = async (topic: string) =>
      Number((await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0));
    expect(await offsets(topics.events)).toBe(1);
    expect(await offsets(topics.deliveries)).toBe(2);
  });

  it('never rejects when Kafka refuses, and logs the ids of the rows left to the scheduler', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const missing = { events: `missing.events.${suffix}`, deliveries: `missing.deliveries.${suffix}` };

    await expect(
      ringer(missing).afterCommit([
        eventBell({ id: 'ev2', projectId: 'p2' }),
        deliveryBell({ id: 'dl2', projectId: 'p2', endpointId: 'ep2' }),
      ]),
    ).resolves.toBeUndefined();

    // The ids are fields of the line, next to a fixed message.
    expect(warn.mock.calls).toEqual(
      expect.arrayContaining([
        [
          expect.objectContaining({ project_id: 'p2', event_ids: ['ev2'], doorbells: 1, err: expect.any(Error) }),
          'event doorbells for committed rows failed; the scheduler will ring them again',
        ],
        [
          expect.objectContaining({ project_id: 'p2', delivery_ids: ['dl2'], doorbells: 1, err: expect.any(Error) }),
          'delivery doorbells for committed rows failed; the scheduler will ring them again',
        ],
      ]),
    );
  });

  it('rings nothing for no rows', async () => {
    const ring = jest.spyOn(producer, 'ring');
    await ringer(topics).afterCommit([]);
    expect(ring).not.toHaveBeenCalled();
  });
});
