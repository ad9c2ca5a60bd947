/**
 * The dashboards and alert rules evaluated by a real Prometheus (Debian's binary, see
 * scripts/lib/prometheus.sh) scraping the three running services (their production bundles)
 * after traffic through every path: success, retry, failure, rate limit, breaker open,
 * duplicate, ingest from a Kafka source (good and malformed), meta events. Every PromQL
 * expression of both Grafana dashboards and of deploy/prometheus/alerts.yml must parse, and every
 * dashboard query must return at least one series: a panel showing "No data" fails here.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { parse as parseYaml } from 'yaml';
import { createTestDatabase, eventually, ServiceProcess, sharedKafkaBrokers, TestDatabase } from '@caravan/testing';
import { FAST_DISPATCHER_ENV, freePort, isolatedKafkaEnv } from '../dispatcher/support/dispatcher-harness';
import { WebhookReceiver } from '../dispatcher/support/webhook-receiver';
import { FAST_INGESTER_ENV } from '../ingester/support/ingester-harness';
import { apiClient, kafkaSourceTraffic } from './support/api-client';
import { REPO_ROOT, SERVICES, ServiceName } from './support/catalogue';
import { prometheusBinary } from './support/prometheus-binaries';
import { removeOpsKafkaState, startOpsServices } from './support/ops-stack';

jest.setTimeout(300_000);

interface Query {
  where: string;
  expr: string;
}

/** Every target of every panel (rows included) of both dashboards. */
function dashboardQueries(): Query[] {
  const dir = join(REPO_ROOT, 'deploy', 'grafana', 'dashboards');
  const queries: Query[] = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    const walk = (panels: { title?: string; panels?: unknown[]; targets?: { expr?: string }[] }[]): void => {
      for (const panel of panels) {
        if (panel.panels) walk(panel.panels as never);
        for (const target of panel.targets ?? []) {
          if (target.expr) queries.push({ where: `${file} / ${panel.title}`, expr: target.expr });
        }
      }
    };
    walk((JSON.parse(readFileSync(join(dir, file), 'utf8')) as { panels: never[] }).panels);
  }
  return queries;
}

function alertQueries(): Query[] {
  const doc = parseYaml(readFileSync(join(REPO_ROOT, 'deploy', 'prometheus', 'alerts.yml'), 'utf8')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  return doc.groups.flatMap((group) => group.rules.map((rule) => ({ where: rule.alert, expr: rule.expr })));
}

/**
 * Grafana's variables as Grafana would expand them here: every project, and a rate interval
 * of several scrapes (Grafana's own rule: at least four scrape intervals).
 */
const RATE_INTERVAL = '20s';
function expand(expr: string): string {
  return expr.replace(/\$__rate_interval/g, RATE_INTERVAL).replace(/\$project/g, '.*');
}

const ADMIN_KEY = randomBytes(24).toString('hex');
const SCRAPE_SECONDS = 1;
const kafka = new Kafka({
  clientId: 'ops-prometheus-test',
  brokers: [sharedKafkaBrokers()],
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
const producer = kafka.producer();
const sourceTopic = `test.ops.prom.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;

let database: TestDatabase;
let receiver: WebhookReceiver;
let env: Record<string, string>;
let prometheus: ChildProcess | undefined;
let prometheusUrl = '';
let prometheusLog = '';
const prometheusDir = mkdtempSync(join(tmpdir(), 'caravan-prometheus-'));
const services = {} as Record<ServiceName, ServiceProcess>;

const { call, created } = apiClient(() => services.api.url);

interface PromResult {
  status: string;
  error?: string;
  data?: { resultType: string; result: unknown[] };
}

async function promQuery(expr: string): Promise<PromResult> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`, {
    signal: AbortSignal.timeout(10_000),
  });
  return (await response.json()) as PromResult;
}

async function promValue(expr: string): Promise<number> {
  const result = await promQuery(expr);
  const first = result.data?.result[0] as { value?: [number, string] } | undefined;
  return first?.value ? Number(first.value[1]) : 0;
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const ok = await eventually(probe, (value) => value, timeoutMs, 500);
  if (!ok) {
    const logs = SERVICES.map((s) => `----- ${s}\n${services[s]?.output().slice(-3000) ?? ''}`).join('\n');
    throw new Error(`timed out waiting for ${what}\n${logs}\n----- prometheus\n${prometheusLog.slice(-3000)}`);
  }
}

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 2 });
  receiver = await WebhookReceiver.start();
  receiver.script('/fail', { status: 500 });
  receiver.script('/broken', { status: 500 });
  receiver.script('/flaky', { status: 500 }, { status: 200 });
  env = {
    ...FAST_DISPATCHER_ENV,
    ...FAST_INGESTER_ENV,
    ...isolatedKafkaEnv('ops-prometheus'),
    CARAVAN_DATABASE_URL: database.url,
    CARAVAN_DATABASE_POOL_SIZE: '4',
    CARAVAN_ADMIN_API_KEY: ADMIN_KEY,
    CARAVAN_LOG_LEVEL: 'warn',
    // A breaker that opens after a few failures and stays open for the rest of the test.
    CARAVAN_BREAKER_MIN_REQUESTS: '2',
    CARAVAN_BREAKER_FAILURE_THRESHOLD: '50',
    CARAVAN_BREAKER_SAMPLE_SECONDS: '30',
    CARAVAN_BREAKER_ERROR_TIMEOUT_SECONDS: '600',
  };
  await startOpsServices(admin, producer, sourceTopic, env, services, 60_000);

  // ---- a real Prometheus scraping the three services, evaluating the alert rules
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  const job = (service: ServiceName) => ({
    job_name: `caravan-${service}`,
    metrics_path: '/metrics',
    static_configs: [{ targets: [`127.0.0.1:${services[service].port}`] }],
  });
  writeFileSync(
    join(prometheusDir, 'prometheus.yml'),
    JSON.stringify({
      global: { scrape_interval: `${SCRAPE_SECONDS}s`, evaluation_interval: `${SCRAPE_SECONDS}s` },
      rule_files: [join(REPO_ROOT, 'deploy', 'prometheus', 'alerts.yml')],
      scrape_configs: SERVICES.map(job),
    }),
  );
  prometheus = spawn(
    prometheusBinary('prometheus'),
    [
      `--config.file=${join(prometheusDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(prometheusDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stdout?.on('data', (chunk: Buffer) => (prometheusLog += chunk.toString()));
  prometheus.stderr?.on('data', (chunk: Buffer) => (prometheusLog += chunk.toString()));
  await until('Prometheus scraping the three services', async () => {
    try {
      return (await promValue('count(up == 1)')) === 3;
    } catch {
      return false;
    }
  });

  // ---- traffic through the api: success, retry, failure, rate limit, breaker, duplicate, meta events
  const { project, api_key } = await created('POST', '/api/v1/projects', ADMIN_KEY, {
    name: 'ops-prometheus',
    type: 'outgoing',
    config: {
      strategy: { type: 'linear', duration: 1, retry_count: 2 },
      meta_event: {
        is_enabled: true,
        type: 'http',
        url: receiver.url('/meta'),
        secret: 'meta-secret',
        event_type: ['endpoint.created', 'eventdelivery.success', 'eventdelivery.failed'],
      },
    },
  });
  const key = String(api_key.key);
  const base = `/api/v1/projects/${project.uid}`;
  const endpoint = async (path: string, extra: object = {}) => {
    const target = await created('POST', `${base}/endpoints`, key, {
      name: `ep${path.replace('/', '-')}`,
      url: receiver.url(path),
      ...extra,
    });
    await created('POST', `${base}/subscriptions`, key, {
      name: `sub-${target.uid}`,
      endpoint_id: target.uid,
      filter_config: { event_types: ['*'] },
    });
    return target;
  };
  const send = (target: { uid: string }, extra: object = {}) =>
    created('POST', `${base}/events`, key, {
      endpoint_id: target.uid,
      event_type: 'ops.test',
      data: { n: 1 },
      ...extra,
    });
  const ok = await endpoint('/ok');
  const flaky = await endpoint('/flaky');
  const failing = await endpoint('/fail');
  const limited = await endpoint('/limited', { rate_limit: 1, rate_limit_duration: 60 });
  const broken = await endpoint('/broken');
  await send(ok, { idempotency_key: 'once' });
  await send(ok, { idempotency_key: 'once' }); // a duplicate: stored, not delivered
  await send(flaky);
  await send(failing);
  for (let n = 0; n < 2; n++) await send(limited);
  for (let n = 0; n < 4; n++) await send(broken);
  expect((await call('GET', `${base}/endpoints/does-not-exist`, key)).status).toBe(404);

  // ---- ingest from a broker: a Kafka pub_sub source, one good and one malformed message
  await kafkaSourceTraffic(created, base, key, producer, sourceTopic, ok.uid);

  // ---- every path has moved, as Prometheus sees it
  const moved: Record<string, string> = {
    success: 'sum(caravan_deliveries_total{status="Success"})',
    failure: 'sum(caravan_deliveries_total{status="Failure"})',
    retry: 'sum(caravan_delivery_attempts_total{outcome="failure"})',
    rateLimited: 'sum(caravan_rate_limited_deliveries_total)',
    breakerOpen: 'sum(caravan_circuit_breakers{state="open"})',
    breakerDeferred: 'sum(caravan_breaker_deferred_deliveries_total)',
    duplicate: 'sum(caravan_intake_events_total{outcome!="accepted"})',
    ingested: 'sum(caravan_ingester_messages_accepted_total{source_type="kafka"})',
    rejected: 'sum(caravan_ingester_messages_rejected_total{reason="malformed"})',
    metaEvents: 'sum(caravan_meta_events_total)',
  };
  let seen: Record<string, number> = {};
  let movedAt = 0;
  await until('every path in Prometheus', async () => {
    seen = Object.fromEntries(await Promise.all(Object.entries(moved).map(async ([k, q]) => [k, await promValue(q)])));
    movedAt = Date.now() / 1000;
    return Object.values(seen).every((value) => value > 0);
  }).catch((error: Error) => {
    throw new Error(`${JSON.stringify(seen)}\n${error.message}`);
  });
  // Scrapes of every service for a few seconds after the last path moved, so each rate window
  // holds at least two samples of every series the traffic created.
  await until(
    'scrapes after the traffic',
    async () => (await promValue('min(timestamp(up{job=~"caravan-.*"}))')) > movedAt + 4 * SCRAPE_SECONDS,
  );
});

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  await Promise.all(SERVICES.map((s) => services[s]?.stop('SIGTERM')));
  await receiver?.stop();
  await database?.drop();
  await removeOpsKafkaState(admin, producer, sourceTopic, env);
  rmSync(prometheusDir, { recursive: true, force: true });
});

describe('a real Prometheus evaluating the dashboards and alert rules', () => {
  it('reads both dashboards and every alert rule (sanity)', () => {
    expect(dashboardQueries().length).toBeGreaterThan(30);
    expect(alertQueries().length).toBe(14);
  });

  it('parses every alert rule expression and loads every rule', async () => {
    const failures: string[] = [];
    for (const { where, expr } of alertQueries()) {
      const result = await promQuery(expr);
      if (result.status !== 'success') failures.push(`${where}: ${result.error}`);
    }
    expect(failures).toEqual([]);
    const rules = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string }[] }[] };
    };
    const loaded = rules.data.groups.flatMap((group) => group.rules);
    expect(loaded.map((rule) => rule.name).sort()).toEqual(
      alertQueries()
        .map((q) => q.where)
        .sort(),
    );
    expect(loaded.filter((rule) => rule.health !== 'ok')).toEqual([]);
  });

  it('parses every dashboard query and gets at least one series from each', async () => {
    const failures: string[] = [];
    for (const { where, expr } of dashboardQueries()) {
      const result = await promQuery(expand(expr));
      if (result.status !== 'success') failures.push(`${where}: does not parse: ${result.error} (${expr})`);
      else if ((result.data?.result.length ?? 0) === 0) failures.push(`${where}: no series (${expr})`);
    }
    expect(failures).toEqual([]);
  });
});
