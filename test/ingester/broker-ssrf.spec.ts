import type { PubSubConfig } from '@caravan/domain';
import type { SourceEntity } from '@caravan/persistence';
import { eventually, logLineMatches, ServiceProcess, sharedKafkaBrokers } from '@caravan/testing';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AmqpDriver } from './support/amqp.driver';
import { GoogleDriver } from './support/google.driver';
import { IngesterHarness } from './support/ingester-harness';
import { KafkaDriver } from './support/kafka.driver';
import { SqsDriver } from './support/sqs.driver';
import { defined } from '../dispatcher/support/webhook-receiver';

/**
 * The ingester dials the broker a tenant names through its SSRF guard. The real brokers here
 * are on loopback: the other ingester tests allow loopback explicitly; this one runs with the
 * default (empty) allow-list and proves each broker client is refused, by host name (resolved
 * through the guard) and by IP literal, and that a per-project consumer cap holds.
 */
describe('ingester: SSRF guard in front of every broker client', () => {
  jest.setTimeout(180_000);
  let h: IngesterHarness;
  let ingester: ServiceProcess;
  let listener: Server;
  const requests: IncomingMessage[] = [];
  const kafka = new KafkaDriver();
  const amqp = new AmqpDriver();
  const google = new GoogleDriver();
  const sqs = new SqsDriver();
  const sources: Record<string, SourceEntity> = {};

  beforeAll(async () => {
    // A listener posing as an SQS endpoint: a refused client never reaches it.
    listener = createServer((request, response) => {
      requests.push(request);
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as AddressInfo).port;
    h = await IngesterHarness.start('broker-ssrf');
    const kafkaTopic = await kafka.createChannel();
    await kafka.publish(kafkaTopic, '{"never":"ingested"}');
    const kafkaConfig = kafka.pubSubConfig(kafkaTopic);
    const kafkaPort = sharedKafkaBrokers().split(':').pop();
    const sqsConfig = sqs.pubSubConfig('q');
    const amqpConfig = amqp.pubSubConfig(await amqp.createChannel());
    const configs: Record<string, PubSubConfig> = {
      'kafka by IP literal': kafkaConfig,
      'kafka by host name': {
        ...kafkaConfig,
        kafka: { ...defined(kafkaConfig.kafka), brokers: [`localhost:${kafkaPort}`] },
      },
      'sqs by host name': { ...sqsConfig, sqs: { ...defined(sqsConfig.sqs), endpoint: `http://localhost:${port}` } },
      'sqs by IP literal': { ...sqsConfig, sqs: { ...defined(sqsConfig.sqs), endpoint: `http://127.0.0.1:${port}` } },
      'amqp by host name': { ...amqpConfig, amqp: { ...defined(amqpConfig.amqp), host: 'localhost' } },
      'amqp by IP literal': amqpConfig,
      'google emulator by IP literal': google.pubSubConfig(await google.createChannel()),
    };
    for (const [name, config] of Object.entries(configs)) sources[name] = await h.source(config);
    ingester = await h.startIngester({
      CARAVAN_INGESTER_BROKER_ALLOW_CIDRS: '',
      CARAVAN_INGESTER_MAX_CONSUMERS_PER_PROJECT: '10',
    });
  });

  afterAll(async () => {
    await h?.stop();
    await Promise.all([kafka.close(), amqp.close(), google.close(), sqs.close()]);
    await new Promise((resolve) => listener?.close(resolve));
  });

  it.each([
    'kafka by IP literal',
    'kafka by host name',
    'sqs by host name',
    'sqs by IP literal',
    'amqp by host name',
    'amqp by IP literal',
    'google emulator by IP literal',
  ])('refuses %s on loopback', async (name) => {
    const source = defined(sources[name]);
    // The guard's refusal, in the error of a line about that source.
    const refused = { source_id: source.id, err: /(127\.0\.0\.1|::1) is a loopback address.*not allowed/ };
    const lines = await eventually(
      async () => ingester.logLines(),
      (seen) => seen.some((line) => logLineMatches(line, refused)),
      60_000,
    );
    expect(lines.filter((line) => logLineMatches(line, refused))).not.toEqual([]);
    expect(await h.eventsOf(source)).toEqual([]);
  });

  it('never lets a refused SQS client reach the listener', () => {
    expect(requests).toHaveLength(0);
  });

  it('does not start a source that would take a project past its consumer cap', async () => {
    const config = kafka.pubSubConfig(await kafka.createChannel());
    const wide = await h.source({ ...config, workers: 11 });
    await h.logged(
      ingester,
      { msg: /would take the project past CARAVAN_INGESTER_MAX_CONSUMERS_PER_PROJECT/, source_id: wide.id },
      1,
      60_000,
    );
    expect(ingester.logLines()).toContainEqual(
      expect.objectContaining({ source_id: wide.id, workers: 11, limit: 10, level: 'error' }),
    );
  });
});
