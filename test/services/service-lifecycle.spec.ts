import { Kafka, logLevel } from 'kafkajs';
import {
  createTestDatabase,
  eventually,
  KafkaInstance,
  ServiceName,
  ServiceProcess,
  sharedKafkaBrokers,
  spawnService,
  startKafkaInstance,
  TestDatabase,
} from '@caravan/testing';

/**
 * Each service, run from its production bundle against the real Postgres and Kafka: it boots,
 * reports ready, exposes metrics, creates its topics, reports Kafka by name when the broker
 * stops, and exits cleanly on SIGTERM.
 */
const SERVICES: ServiceName[] = ['api', 'ingester', 'dispatcher'];
const suffix = Date.now().toString(36);

async function readyz(service: ServiceProcess): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${service.url}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function named(running: ServiceProcess[], name: ServiceName): ServiceProcess {
  const service = running.find((candidate) => candidate.name === name);
  if (!service) throw new Error(`${name} is not running`);
  return service;
}

describe('service lifecycle', () => {
  jest.setTimeout(240_000);
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  describe('against the shared broker', () => {
    const topics = { events: `lifecycle.events.${suffix}`, deliveries: `lifecycle.deliveries.${suffix}` };
    const running: ServiceProcess[] = [];

    beforeAll(async () => {
      SERVICES.forEach((name, index) =>
        running.push(
          spawnService(name, 15105 + index, {
            CARAVAN_DATABASE_URL: database.url,
            CARAVAN_KAFKA_BROKERS: sharedKafkaBrokers(),
            CARAVAN_KAFKA_EVENTS_TOPIC: topics.events,
            CARAVAN_KAFKA_DELIVERIES_TOPIC: topics.deliveries,
            CARAVAN_KAFKA_PARTITIONS: '3',
          }),
        ),
      );
      await Promise.all(running.map((service) => service.waitForReady()));
    });

    afterAll(async () => {
      await Promise.all(running.map((service) => service.stop('SIGKILL')));
    });

    it.each(SERVICES)('%s answers /healthz and /readyz with every dependency up', async (name) => {
      const service = named(running, name);
      const health = await fetch(`${service.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      await expect(readyz(service)).resolves.toEqual({
        status: 200,
        body: {
          status: 'ok',
          checks: {
            postgres: { status: 'up' },
            kafka: { status: 'up' },
            // The dispatcher's router and sender consumers are supervised and reported too.
            ...(name === 'dispatcher' ? { consumers: { status: 'up' } } : {}),
          },
        },
      });
    });

    it.each(SERVICES)('%s exposes Prometheus metrics labelled with its name', async (name) => {
      const service = named(running, name);
      const response = await fetch(`${service.url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      expect(text).toContain(`process_cpu_user_seconds_total{service="${name}"}`);
      expect(text).toContain('nodejs_eventloop_lag_seconds');
    });

    it('creates the events and deliveries topics with the configured partitions', async () => {
      const admin = new Kafka({ brokers: [sharedKafkaBrokers()], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const metadata = await admin.fetchTopicMetadata({ topics: [topics.events, topics.deliveries] });
        expect(metadata.topics.map((topic) => [topic.name, topic.partitions.length]).sort()).toEqual([
          [topics.deliveries, 3],
          [topics.events, 3],
        ]);
      } finally {
        await admin.disconnect();
      }
    });

    it('serves OpenAPI schemas derived from the DTOs in the production bundle', async () => {
      const api = named(running, 'api');
      const document = (await (await fetch(`${api.url}/api/v1/openapi.json`)).json()) as {
        components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
      };
      const schemas = document.components.schemas;
      expect(schemas['CreateProjectDto']?.required).toEqual(expect.arrayContaining(['name', 'type']));
      expect(Object.keys(schemas['CreateEventDto']?.properties ?? {})).toEqual(
        expect.arrayContaining(['endpoint_id', 'event_type', 'data', 'custom_headers', 'idempotency_key']),
      );
      expect(schemas['CreateEventDto']?.required).toEqual(
        expect.arrayContaining(['endpoint_id', 'event_type', 'data']),
      );
    });

    it.each(SERVICES)('%s exits 0 on SIGTERM and says it stopped cleanly', async (name) => {
      const service = named(running, name);
      const started = Date.now();
      await expect(service.stop('SIGTERM')).resolves.toBe(0);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(service.output()).toContain('stopped cleanly');
    });
  });

  describe('when its Kafka broker stops', () => {
    let broker: KafkaInstance;
    const running: ServiceProcess[] = [];

    beforeAll(async () => {
      broker = await startKafkaInstance(`kafka-readyz-${suffix}`, 19392);
      SERVICES.forEach((name, index) =>
        running.push(
          spawnService(name, 15205 + index, {
            CARAVAN_DATABASE_URL: database.url,
            CARAVAN_KAFKA_BROKERS: broker.brokers,
          }),
        ),
      );
      await Promise.all(running.map((service) => service.waitForReady()));
    });

    afterAll(async () => {
      await Promise.all(running.map((service) => service.stop('SIGKILL')));
      await broker?.stop();
    });

    it('every service answers 503 naming kafka, with postgres still up', async () => {
      await broker.stop();
      for (const service of running) {
        const answer = await eventually(
          () => readyz(service),
          (value) => value.status === 503,
          20_000,
        );
        expect(answer.status).toBe(503);
        expect(answer.body['status']).toBe('error');
        expect(String(answer.body['message'])).toMatch(/^not ready: kafka \(/);
        expect(answer.body['checks']).toMatchObject({
          postgres: { status: 'up' },
          kafka: { status: 'down' },
        });
        // Liveness must not depend on Kafka: the pod is unready, not restarted.
        expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
      }
    });
  });

  it('refuses to start with a bad variable and names it (exit 78)', async () => {
    const service = spawnService('dispatcher', 15300, {
      CARAVAN_HTTP_PORT: 'eighty',
      CARAVAN_KAFKA_BROKERS: 'no-port-here',
    });
    await expect(service.exited).resolves.toBe(78);
    expect(service.output()).toContain('CARAVAN_HTTP_PORT');
    expect(service.output()).toContain('CARAVAN_KAFKA_BROKERS');
  });
});
