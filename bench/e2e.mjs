#!/usr/bin/env node
// End-to-end benchmark of Caravan on this machine: the built api and dispatcher (real
// Postgres, real Kafka), a local HTTP receiver, and a fixed number of events sent through
// the REST API. Reports accepted/s, delivered/s and accepted→delivered latency.
//
//   scripts/bench.sh [--events 5000] [--concurrency 64] [--endpoints 10] [--payload-bytes 512]
//                    [--partitions 6] [--profile] [--accept-only]
//
// --accept-only runs the api alone (no dispatcher), measuring intake by itself.
// --profile writes V8 CPU profiles of the api and dispatcher to .run/bench/profiles/.
// Bounded: it stops by itself after the deliveries arrive or --timeout seconds.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Kafka, logLevel } from 'kafkajs';

const { values: options } = parseArgs({
  options: {
    events: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '64' },
    endpoints: { type: 'string', default: '10' },
    'payload-bytes': { type: 'string', default: '512' },
    partitions: { type: 'string', default: '6' },
    timeout: { type: 'string', default: '300' },
    profile: { type: 'boolean', default: false },
    'accept-only': { type: 'boolean', default: false },
  },
});
const EVENTS = Number(options.events);
const CONCURRENCY = Number(options.concurrency);
const ENDPOINTS = Number(options.endpoints);
const PAYLOAD_BYTES = Number(options['payload-bytes']);
const TIMEOUT_MS = Number(options.timeout) * 1000;
const ACCEPT_ONLY = options['accept-only'];

const root = join(import.meta.dirname, '..');
const stateDir = join(process.env.CARAVAN_STATE_DIR ?? join(root, '.run'), 'bench');
mkdirSync(join(stateDir, 'profiles'), { recursive: true });
const run = Date.now().toString(36);
const adminUrl = process.env.CARAVAN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/caravan_test';
const dbName = `caravan_bench_${run}`;
const databaseUrl = adminUrl.replace(/\/[^/]*$/, `/${dbName}`);
const brokers = process.env.CARAVAN_TEST_KAFKA_BROKERS ?? '127.0.0.1:9092';
const topics = { events: `bench.events.${run}`, deliveries: `bench.deliveries.${run}` };
const adminKey = `bench-admin-key-${run}-0123456789abcdefghij`;
const API_PORT = 15605;
const DISPATCHER_PORT = 15607;

const children = [];
function startService(name, port) {
  const args = options.profile
    ? [`--cpu-prof`, `--cpu-prof-dir=${join(stateDir, 'profiles')}`, `--cpu-prof-name=${name}-${run}.cpuprofile`]
    : [];
  const child = spawn(process.execPath, [...args, join(root, 'dist/apps', name, 'main.js')], {
    cwd: root,
    env: {
      ...process.env,
      CARAVAN_HTTP_HOST: '127.0.0.1',
      CARAVAN_HTTP_PORT: String(port),
      CARAVAN_DATABASE_URL: databaseUrl,
      CARAVAN_KAFKA_BROKERS: brokers,
      CARAVAN_KAFKA_EVENTS_TOPIC: topics.events,
      CARAVAN_KAFKA_DELIVERIES_TOPIC: topics.deliveries,
      CARAVAN_KAFKA_PARTITIONS: options.partitions,
      CARAVAN_ADMIN_API_KEY: adminKey,
      CARAVAN_SSRF_ALLOW_CIDRS: '127.0.0.0/8',
      CARAVAN_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  return child;
}

async function waitReady(port) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`service on ${port} not ready within 60 s`);
}

async function api(method, path, key, body) {
  const response = await fetch(`http://127.0.0.1:${API_PORT}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json.data;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await new Promise((resolve, reject) => {
    const migrate = spawn(process.execPath, [join(root, 'dist/apps/api/migrate.js')], {
      env: { ...process.env, CARAVAN_DATABASE_URL: databaseUrl },
      stdio: 'inherit',
    });
    migrate.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`migrate exited ${code}`))));
  });

  // The receiver: answers 200 at once and notes when each event arrived.
  const deliveredAt = new Map();
  let duplicates = 0;
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const eventId = String(request.headers['x-convoy-event-id']);
      if (deliveredAt.has(eventId)) duplicates += 1;
      else deliveredAt.set(eventId, performance.now());
      response.writeHead(200).end('ok');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverPort = receiver.address().port;

  startService('api', API_PORT);
  if (!ACCEPT_ONLY) startService('dispatcher', DISPATCHER_PORT);
  await Promise.all([waitReady(API_PORT), ...(ACCEPT_ONLY ? [] : [waitReady(DISPATCHER_PORT)])]);

  const { project, api_key } = await api('POST', '/api/v1/projects', adminKey, {
    name: 'bench',
    type: 'outgoing',
    config: { strategy: { type: 'linear', duration: 1, retry_count: 5 } },
  });
  const key = api_key.key;
  const endpoints = [];
  for (let i = 0; i < ENDPOINTS; i++) {
    const endpoint = await api('POST', `/api/v1/projects/${project.uid}/endpoints`, key, {
      name: `receiver-${i}`,
      url: `http://127.0.0.1:${receiverPort}/hooks/${i}`,
    });
    endpoints.push(endpoint.uid);
  }

  const padding = 'x'.repeat(Math.max(0, PAYLOAD_BYTES - 80));
  const acceptedAt = new Map();
  let next = 0;
  let rejected = 0;
  const started = performance.now();
  async function sender() {
    while (next < EVENTS) {
      const seq = next++;
      try {
        const event = await api('POST', `/api/v1/projects/${project.uid}/events`, key, {
          endpoint_id: endpoints[seq % endpoints.length],
          event_type: 'bench.event',
          data: { seq, padding },
        });
        acceptedAt.set(event.uid, performance.now());
      } catch (error) {
        rejected += 1;
        if (rejected <= 3) console.error(`bench: event ${seq} refused: ${error.message}`);
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  const acceptedDone = performance.now();

  const deadline = Date.now() + TIMEOUT_MS;
  while (!ACCEPT_ONLY && deliveredAt.size < acceptedAt.size && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const deliveredTimes = [...deliveredAt.values()].sort((a, b) => a - b);
  const lastDelivered = deliveredTimes.at(-1) ?? NaN;
  const latencies = [...acceptedAt.entries()]
    .filter(([id]) => deliveredAt.has(id))
    .map(([id, at]) => deliveredAt.get(id) - at)
    .sort((a, b) => a - b);

  const result = {
    when: new Date().toISOString(),
    events: EVENTS,
    concurrency: CONCURRENCY,
    endpoints: ENDPOINTS,
    payload_bytes: PAYLOAD_BYTES,
    partitions: Number(options.partitions),
    mode: ACCEPT_ONLY ? 'accept-only' : 'end-to-end',
    accepted: acceptedAt.size,
    rejected,
    delivered: deliveredAt.size,
    duplicates_at_receiver: duplicates,
    accepted_per_second: Math.round(acceptedAt.size / ((acceptedDone - started) / 1000)),
    delivered_per_second: Math.round(deliveredAt.size / ((lastDelivered - started) / 1000)),
    latency_ms: {
      p50: Math.round(percentile(latencies, 50)),
      p90: Math.round(percentile(latencies, 90)),
      p99: Math.round(percentile(latencies, 99)),
      max: Math.round(latencies.at(-1) ?? NaN),
    },
  };
  writeFileSync(join(stateDir, `result-${run}.json`), JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));

  if (!ACCEPT_ONLY && result.delivered < result.accepted) {
    // Say where the missing ones are before the database goes.
    const missing = [...acceptedAt.keys()].filter((id) => !deliveredAt.has(id));
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    const { rows } = await check.query(
      `SELECT e.id, e.status AS event_status, e.created_at, d.status AS delivery_status, d.attempts, d.next_send_time, d.lease_until, d.description
       FROM events e LEFT JOIN event_deliveries d ON d.event_id = e.id WHERE e.id = ANY($1) ORDER BY e.id LIMIT 20`,
      [missing],
    );
    console.error('bench: undelivered events:', JSON.stringify(rows, null, 1));
    await check.end();
  }
  receiver.close();
  await stopChildren();
  const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  await kafka.connect();
  await kafka.deleteTopics({ topics: [topics.events, topics.deliveries] }).catch(() => undefined);
  await kafka.disconnect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
  if (!ACCEPT_ONLY && result.delivered < result.accepted) {
    console.error(
      `bench: only ${result.delivered} of ${result.accepted} accepted events were delivered within the timeout`,
    );
    process.exitCode = 1;
  }
}

async function stopChildren() {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
}

main().catch(async (error) => {
  console.error(`bench: ${error.stack ?? error.message}`);
  await stopChildren();
  process.exit(1);
});
