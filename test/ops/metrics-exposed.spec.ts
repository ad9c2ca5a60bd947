/**
 * Every metric of the catalogue (docs/metrics.md) is really exposed by the service it is
 * listed for, and every caravan_* metric a service exposes is catalogued.
 *
 * The three production bundles (dist/apps/*, `nx run-many -t build --projects=api,ingester,dispatcher`)
 * run against a fresh database and their own Kafka topics; real traffic goes through them:
 * a project (admin key) with meta events on, endpoints on a local HTTP receiver (one answering
 * 200, one 500, one rate-limited), events over the REST API, and a Kafka pub_sub source fed
 * one good and one malformed message. Then /metrics of each service is scraped and compared
 * with the catalogue: family present with the right TYPE, a sample wherever the traffic makes
 * one, label names and (closed) label values as catalogued.
 */
import { createTestDatabase, eventually, ServiceProcess, sharedKafkaBrokers, TestDatabase } from '@caravan/testing';
import { Kafka, logLevel } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { FAST_DISPATCHER_ENV, isolatedKafkaEnv } from '../dispatcher/support/dispatcher-harness';
import { WebhookReceiver } from '../dispatcher/support/webhook-receiver';
import { FAST_INGESTER_ENV } from '../ingester/support/ingester-harness';
import { apiClient, kafkaSourceTraffic } from './support/api-client';
import { CatalogueMetric, loadCatalogue, SERVICES, ServiceName } from './support/catalogue';
import { Family, parseExposition } from './support/exposition';
import { removeOpsKafkaState, startOpsServices } from './support/ops-stack';

jest.setTimeout(180_000);

/**
 * Catalogued metrics that this traffic cannot give a sample to, per service, and why. A
 * labelled prom-client metric has no sample until its first label combination is used, so
 * these show only their # HELP / # TYPE lines here (and in any healthy installation).
 */
const HELP_ONLY: Partial<Record<ServiceName, Record<string, string>>> = {
  api: {
    caravan_kafka_produce_errors_total: 'needs Kafka to refuse a doorbell',
    caravan_api_rate_limited_requests_total: 'needs a request over a request limit (limits are off by default)',
  },
  ingester: {
    caravan_kafka_produce_errors_total: 'needs Kafka to refuse a doorbell',
    caravan_ingester_consumer_errors_total: 'needs a broker or Postgres failure under a consumer',
  },
  dispatcher: {
    caravan_kafka_produce_errors_total: 'needs Kafka to refuse a doorbell',
    caravan_intake_events_total:
      'registered by IntakeService, which the dispatcher loads (IntakeModule) but never calls',
    caravan_notifications_total: 'needs an endpoint with a slack_webhook_url or support_email to be disabled',
    caravan_retention_deleted_rows_total: 'needs a project with a retention_policy and rows older than it',
  },
};

/** Catalogued metrics whose sample depends on the moment of the scrape, on every service. */
const MAYBE_EMPTY: Record<string, string> = {
  nodejs_active_requests: 'grouped by libuv request type: no sample while no libuv request is in flight',
  nodejs_gc_duration_seconds: 'labelled by GC kind: no sample before the first garbage collection',
};

const catalogue = loadCatalogue();
const ADMIN_KEY = randomBytes(24).toString('hex');
const kafka = new Kafka({ clientId: 'ops-metrics-test', brokers: [sharedKafkaBrokers()], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const producer = kafka.producer();

let database: TestDatabase;
let receiver: WebhookReceiver;
let env: Record<string, string>;
const sourceTopic = `test.ops.source.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;
const services = {} as Record<ServiceName, ServiceProcess>;
const scraped = {} as Record<ServiceName, Map<string, Family>>;

const { call, created } = apiClient(() => services.api.url);

async function scrape(service: ServiceName): Promise<Map<string, Family>> {
  const response = await fetch(`${services[service].url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return parseExposition(await response.text());
}

/** Sum of a family's samples whose labels include `labels` (histograms: the _count series). */
function total(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  if (!family) return 0;
  const series = family.type === 'histogram' ? `${name}_count` : name;
  return family.samples
    .filter((s) => s.name === series && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

function logs(): string {
  return SERVICES.map((s) => `----- ${s}\n${services[s]?.output().slice(-4000) ?? ''}`).join('\n');
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const ok = await eventually(probe, (v) => v, timeoutMs, 500);
  if (!ok) throw new Error(`timed out waiting for ${what}\n${logs()}`);
}

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 2 });
  receiver = await WebhookReceiver.start();
  receiver.script('/fail', { status: 500 });
  env = {
    ...FAST_DISPATCHER_ENV,
    ...FAST_INGESTER_ENV,
    ...isolatedKafkaEnv('ops-metrics'),
    CARAVAN_DATABASE_URL: database.url,
    CARAVAN_DATABASE_POOL_SIZE: '4',
    CARAVAN_ADMIN_API_KEY: ADMIN_KEY,
    CARAVAN_LOG_LEVEL: 'warn',
    // The source's broker is the local Kafka, on loopback.
    CARAVAN_INGESTER_BROKER_ALLOW_CIDRS: '127.0.0.0/8,::1/128',
  };
  await startOpsServices(admin, producer, sourceTopic, env, services, 60_000);

  // ---- traffic through the api
  const { project, api_key } = await created('POST', '/api/v1/projects', ADMIN_KEY, {
    name: 'ops-metrics',
    type: 'outgoing',
    config: {
      meta_event: {
        is_enabled: true,
        type: 'http',
        url: receiver.url('/meta'),
        secret: 'meta-secret',
        event_type: ['endpoint.created'],
      },
    },
  });
  const key = String(api_key.key);
  const base = `/api/v1/projects/${project.uid}`;
  const endpoint = (path: string, extra: object = {}) =>
    created('POST', `${base}/endpoints`, key, {
      name: `ep${path.replace('/', '-')}`,
      url: receiver.url(path),
      ...extra,
    });
  const ok = await endpoint('/ok');
  const failing = await endpoint('/fail');
  const limited = await endpoint('/limited', { rate_limit: 1, rate_limit_duration: 60 });
  // Explicit subscriptions. Without them the router adds a catch-all on an endpoint's first
  // event, and when two events of one endpoint are routed together the second can end up
  // routed with no delivery (SubscriptionsRepository.ensureCatchAll answers null when the
  // other event's resolution created the subscription first): a router bug, reported.
  for (const target of [ok, failing, limited]) {
    await created('POST', `${base}/subscriptions`, key, {
      name: `sub-${target.uid}`,
      endpoint_id: target.uid,
      filter_config: { event_types: ['*'] },
    });
  }
  for (const target of [ok, failing, limited, limited]) {
    await created('POST', `${base}/events`, key, { endpoint_id: target.uid, event_type: 'ops.test', data: { n: 1 } });
  }
  expect((await call('GET', `${base}/endpoints/does-not-exist`, key)).status).toBe(404);

  // ---- traffic through the ingester: a Kafka pub_sub source, one good and one malformed message
  await kafkaSourceTraffic(created, base, key, producer, sourceTopic, ok.uid);

  // ---- wait until every part of the pipeline has moved
  await until(
    'deliveries to /ok (api and ingester events), /fail and /meta',
    async () =>
      receiver.at('/ok').length >= 2 &&
      receiver.at('/fail').length >= 1 &&
      receiver.at('/meta').length >= 1 &&
      receiver.at('/limited').length >= 1,
  );
  let progress = {};
  await until('the dispatcher and ingester counters', async () => {
    const [dispatcher, ingester] = [await scrape('dispatcher'), await scrape('ingester')];
    progress = {
      rateLimited: total(dispatcher, 'caravan_rate_limited_deliveries_total') > 0,
      metaEvents: total(dispatcher, 'caravan_meta_events_total', { status: 'Success' }) > 0,
      delivered: total(dispatcher, 'caravan_deliveries_total', { status: 'Success' }) >= 3,
      ingested: total(ingester, 'caravan_ingester_messages_accepted_total', { source_type: 'kafka' }) >= 1,
      rejected:
        total(ingester, 'caravan_ingester_messages_rejected_total', { source_type: 'kafka', reason: 'malformed' }) >= 1,
      sourceLag: (ingester.get('caravan_ingester_source_lag_messages')?.samples.length ?? 0) > 0,
    };
    return Object.values(progress).every(Boolean);
  }).catch(async (error: Error) => {
    // What the pipeline holds, for the failure message.
    const deliveries = await database.dataSource.query(
      `SELECT e.url, d.status, d.attempts FROM event_deliveries d JOIN endpoints e ON e.id = d.endpoint_id ORDER BY d.id`,
    );
    const events = await database.dataSource.query(`SELECT id, routing, endpoint_ids, status FROM events ORDER BY id`);
    throw new Error(
      `${JSON.stringify(progress)}\ndeliveries ${JSON.stringify(deliveries)}\nevents ${JSON.stringify(events)}\n${error.message}`,
    );
  });
  // Scrape twice: the first scrape's own request is counted in the second.
  for (const service of SERVICES) await scrape(service);
  for (const service of SERVICES) scraped[service] = await scrape(service);
});

afterAll(async () => {
  await Promise.all(SERVICES.map((s) => services[s]?.stop('SIGTERM')));
  await receiver?.stop();
  await database?.drop();
  await removeOpsKafkaState(admin, producer, sourceTopic, env);
});

describe.each(SERVICES)('%s /metrics', (service) => {
  const expected = (): CatalogueMetric[] => catalogue.filter((m) => m.services.includes(service));

  it('exposes every metric the catalogue lists for it, with its type', () => {
    const missing = expected()
      .filter((m) => scraped[service].get(m.name)?.type !== m.type)
      .map((m) => `${m.name}: TYPE ${scraped[service].get(m.name)?.type ?? 'absent'}, catalogue says ${m.type}`);
    expect(missing).toEqual([]);
  });

  it('has a sample of each after the traffic, except the documented HELP-only ones', () => {
    const helpOnly = HELP_ONLY[service] ?? {};
    const withoutSample = expected()
      .filter((m) => (scraped[service].get(m.name)?.samples.length ?? 0) === 0)
      .map((m) => m.name)
      .filter((name) => !(name in MAYBE_EMPTY));
    expect(withoutSample.sort()).toEqual(Object.keys(helpOnly).sort());
  });

  it('labels every sample as catalogued: service, the listed labels, closed label values', () => {
    const problems: string[] = [];
    for (const metric of expected()) {
      const allowed = metric.labels.map((l) => l.name).sort();
      for (const sample of scraped[service].get(metric.name)?.samples ?? []) {
        const { service: own, le, ...rest } = sample.labels;
        if (own !== service) problems.push(`${sample.name}: service="${own}"`);
        if ((le !== undefined) !== sample.name.endsWith('_bucket')) problems.push(`${sample.name}: le="${le}"`);
        const names = Object.keys(rest).sort();
        if (names.join(',') !== allowed.join(','))
          problems.push(`${sample.name}: labels ${names.join(',')}, catalogue ${allowed.join(',')}`);
        for (const label of metric.labels) {
          if (label.values && !label.values.includes(rest[label.name])) {
            problems.push(
              `${sample.name}: ${label.name}="${rest[label.name]}" is not among ${label.values.join(', ')}`,
            );
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('exposes nothing the catalogue does not list for it', () => {
    const listed = new Set(expected().map((m) => m.name));
    expect([...scraped[service].keys()].filter((name) => !listed.has(name))).toEqual([]);
  });
});

describe('the traffic moved the metrics it should', () => {
  it('counted the events, deliveries, attempts, latency and meta events', () => {
    const { api, ingester, dispatcher } = scraped;
    expect(total(api, 'caravan_intake_events_total', { routing: 'direct', outcome: 'accepted' })).toBe(4);
    expect(
      total(api, 'caravan_kafka_produced_messages_total', { topic: env.CARAVAN_KAFKA_EVENTS_TOPIC }),
    ).toBeGreaterThanOrEqual(4);
    expect(
      total(api, 'caravan_http_requests_total', {
        method: 'POST',
        route: '/api/v1/projects/:projectID/events',
        status: '201',
      }),
    ).toBe(4);
    expect(total(api, 'caravan_http_requests_total', { status: '404' })).toBeGreaterThanOrEqual(1);
    expect(total(ingester, 'caravan_intake_events_total', { outcome: 'accepted' })).toBe(1);
    expect(total(ingester, 'caravan_ingester_messages_received_total', { source_type: 'kafka' })).toBe(2);
    expect(total(ingester, 'caravan_ingester_consumers', { source_type: 'kafka' })).toBe(1);
    expect(total(dispatcher, 'caravan_events_routed_total')).toBeGreaterThanOrEqual(5);
    expect(total(dispatcher, 'caravan_deliveries_created_total', { status: 'Scheduled' })).toBeGreaterThanOrEqual(5);
    expect(
      total(dispatcher, 'caravan_delivery_attempts_total', { outcome: 'failure', status_class: '5xx' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      total(dispatcher, 'caravan_delivery_attempts_total', { outcome: 'success', status_class: '2xx' }),
    ).toBeGreaterThanOrEqual(3);
    expect(total(dispatcher, 'caravan_delivery_latency_seconds')).toBeGreaterThanOrEqual(3);
    expect(
      total(dispatcher, 'caravan_kafka_produced_messages_total', { topic: env.CARAVAN_KAFKA_DELIVERIES_TOPIC }),
    ).toBeGreaterThanOrEqual(5);
    expect(
      dispatcher
        .get('caravan_consumer_lag_messages')
        ?.samples.map((s) => s.labels.topic)
        .sort(),
    ).toEqual([env.CARAVAN_KAFKA_DELIVERIES_TOPIC, env.CARAVAN_KAFKA_EVENTS_TOPIC].sort());
  });
});
