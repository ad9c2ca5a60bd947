#!/usr/bin/env node
// End-to-end benchmark of Caravan on this machine: the built api and dispatcher (real
// Postgres, real Kafka), a local HTTP receiver, and events sent through the REST API.
// Reports throughput, latency percentiles, CPU ms per event (from /proc: the api, the
// dispatcher and the Postgres backends serving the benchmark's database) and peak RSS.
//
//   scripts/bench.sh [--events 20000] [--warmup 2000] [--concurrency 64] [--rate 0]
//                    [--endpoints 10] [--payload-bytes 1024] [--partitions 6] [--rounds 1]
//                    [--profile] [--accept-only]
//
// Closed loop (default): --concurrency requests in flight, each sent when the previous ends.
// Open loop (--rate N): N events/s sent on schedule whatever the answers' latency, so the
// latency percentiles are those a producer at that rate sees.
// --rounds N repeats the measured phase in the same processes (memory growth shows as a rising
// peak RSS from one round to the next). --accept-only runs the api alone (no dispatcher).
// --profile writes V8 CPU profiles of the api and dispatcher to .run/bench/profiles/.
// Bounded: each round stops after its deliveries arrive or --timeout seconds.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { CpuWindow, memoryMb } from './process-usage.mjs';
import { freePort } from '../test/faults/free-port.mjs';

const { values: options } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
    rate: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '1' },
    endpoints: { type: 'string', default: '10' },
    'payload-bytes': { type: 'string', default: '1024' },
    partitions: { type: 'string', default: '6' },
    timeout: { type: 'string', default: '300' },
    profile: { type: 'boolean', default: false },
    'accept-only': { type: 'boolean', default: false },
  },
});
const EVENTS = Number(options.events);
const WARMUP = Number(options.warmup);
const CONCURRENCY = Number(options.concurrency);
const RATE = Number(options.rate);
const ROUNDS = Math.max(1, Number(options.rounds));
/** Open loop: requests beyond this many in flight are counted as the client falling behind. */
const OPEN_LOOP_MAX_IN_FLIGHT = 4096;
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
// Free ports, so two benchmarks (or a benchmark and a running stack) never answer each other's requests.
const API_PORT = await freePort();
const DISPATCHER_PORT = await freePort();

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

  const services = {
    api: startService('api', API_PORT),
    ...(ACCEPT_ONLY ? {} : { dispatcher: startService('dispatcher', DISPATCHER_PORT) }),
  };
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
  let sequence = 0;
  /** Sends one event; resolves with its id and the request's start and answer times, or undefined. */
  async function sendOne() {
    const seq = sequence++;
    const sentAt = performance.now();
    try {
      const event = await api('POST', `/api/v1/projects/${project.uid}/events`, key, {
        endpoint_id: endpoints[seq % endpoints.length],
        event_type: 'bench.event',
        data: { seq, padding },
      });
      return { id: event.uid, sentAt, answeredAt: performance.now() };
    } catch (error) {
      round.rejected += 1;
      if (round.rejected <= 3) console.error(`bench: event ${seq} refused: ${error.message}`);
      return undefined;
    }
  }

  let round;
  let acceptedSoFar = 0;
  async function runRound(count) {
    round = { accepted: new Map(), rejected: 0, behind: 0 };
    const started = performance.now();
    if (RATE > 0) {
      // Open loop: event i leaves at started + i/RATE, whether or not earlier ones were answered.
      const inFlight = new Set();
      for (let i = 0; i < count; i++) {
        const due = started + (i * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        if (inFlight.size >= OPEN_LOOP_MAX_IN_FLIGHT) {
          round.behind += 1;
          await Promise.race(inFlight);
        }
        const pending = sendOne().then((sent) => {
          if (sent) round.accepted.set(sent.id, sent);
          inFlight.delete(pending);
        });
        inFlight.add(pending);
      }
      await Promise.all(inFlight);
    } else {
      let remaining = count;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (remaining > 0) {
            remaining -= 1;
            const sent = await sendOne();
            if (sent) round.accepted.set(sent.id, sent);
          }
        }),
      );
    }
    const acceptedDone = performance.now();
    const deadline = Date.now() + TIMEOUT_MS;
    // Every accepted event so far (warm-up and earlier rounds included) has arrived once the
    // receiver holds as many distinct ids: a cheap check before the exact one.
    acceptedSoFar += round.accepted.size;
    const allArrived = () =>
      deliveredAt.size >= acceptedSoFar && [...round.accepted.keys()].every((id) => deliveredAt.has(id));
    while (!ACCEPT_ONLY && !allArrived() && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { started, acceptedDone, ...round };
  }

  const servicePids = { api: services.api.pid, ...(ACCEPT_ONLY ? {} : { dispatcher: services.dispatcher.pid }) };
  const postgresBackends = async () =>
    (await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName])).rows.map((row) => row.pid);

  if (WARMUP > 0) {
    const warm = await runRound(WARMUP);
    console.error(`bench: warm-up of ${warm.accepted.size} events done`);
  }

  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const cpu = new CpuWindow(servicePids, postgresBackends);
    await cpu.begin();
    const measured = await runRound(EVENTS);
    const spent = await cpu.end();
    const stages = ACCEPT_ONLY ? null : await stageLatencies(measured.accepted);
    rounds.push(summarize(measured, spent, servicePids, stages));
    console.error(`bench: round ${r + 1}/${ROUNDS}: ${JSON.stringify(rounds.at(-1))}`);
  }

  const result = {
    when: new Date().toISOString(),
    mode: ACCEPT_ONLY ? 'accept-only' : 'end-to-end',
    load: RATE > 0 ? { open_loop_rate: RATE } : { closed_loop_concurrency: CONCURRENCY },
    events: EVENTS,
    warmup: WARMUP,
    endpoints: ENDPOINTS,
    payload_bytes: PAYLOAD_BYTES,
    partitions: Number(options.partitions),
    duplicates_at_receiver: duplicates,
    rounds,
  };
  writeFileSync(join(stateDir, `result-${run}.json`), JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));

  const last = rounds.at(-1);
  if (!ACCEPT_ONLY && last.delivered < last.accepted) {
    // Say where the missing ones are before the database goes.
    const missing = [...round.accepted.keys()].filter((id) => !deliveredAt.has(id));
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
  if (!ACCEPT_ONLY && last.delivered < last.accepted) {
    console.error(
      `bench: only ${last.delivered} of ${last.accepted} accepted events were delivered within the timeout`,
    );
    process.exitCode = 1;
  }

  /** One round's figures: throughput, latency percentiles, CPU per event and memory. */
  /**
   * Where each delivered event's time went, from the rows' own timestamps on this machine's
   * clock: accepted (request sent) → stored (the event row's insert) → routed (its delivery
   * row's insert) → delivered (arrived at the receiver).
   */
  async function stageLatencies(accepted) {
    const ids = [...accepted.keys()].filter((id) => deliveredAt.has(id));
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    try {
      const { rows } = await check.query(
        `SELECT e.id, extract(epoch FROM e.created_at) * 1000 AS stored, extract(epoch FROM min(d.created_at)) * 1000 AS routed
         FROM events e JOIN event_deliveries d ON d.project_id = e.project_id AND d.event_id = e.id
         WHERE e.id = ANY($1) GROUP BY e.id, e.created_at`,
        [ids],
      );
      const toEpoch = (monotonic) => performance.timeOrigin + monotonic;
      const stored = [];
      const routed = [];
      const delivered = [];
      for (const row of rows) {
        const sentAt = toEpoch(accepted.get(row.id).sentAt);
        stored.push(Number(row.stored) - sentAt);
        routed.push(Number(row.routed) - Number(row.stored));
        delivered.push(toEpoch(deliveredAt.get(row.id)) - Number(row.routed));
      }
      const sorted = (values) => percentiles(values.sort((x, y) => x - y));
      return {
        accepted_to_stored: sorted(stored),
        stored_to_routed: sorted(routed),
        routed_to_delivered: sorted(delivered),
      };
    } finally {
      await check.end();
    }
  }

  function summarize(measured, spent, pids, stages) {
    const accepted = [...measured.accepted.entries()];
    const deliveredTimes = accepted.filter(([id]) => deliveredAt.has(id)).map(([id]) => deliveredAt.get(id));
    const lastDelivered = Math.max(...deliveredTimes);
    const acceptLatency = accepted.map(([, sent]) => sent.answeredAt - sent.sentAt).sort((x, y) => x - y);
    const endToEnd = accepted
      .filter(([id]) => deliveredAt.has(id))
      .map(([id, sent]) => deliveredAt.get(id) - sent.sentAt)
      .sort((x, y) => x - y);
    const counted = ACCEPT_ONLY ? accepted.length : deliveredTimes.length;
    const perEvent = (ms) => Number((ms / Math.max(1, counted)).toFixed(3));
    const services = Object.keys(pids).reduce((sum, name) => sum + spent[name], 0);
    const windowEnd = ACCEPT_ONLY ? measured.acceptedDone : lastDelivered;
    return {
      accepted: accepted.length,
      rejected: measured.rejected,
      delivered: deliveredTimes.length,
      open_loop_fell_behind: measured.behind,
      accepted_per_second: Math.round(accepted.length / ((measured.acceptedDone - measured.started) / 1000)),
      delivered_per_second: ACCEPT_ONLY
        ? null
        : Math.round(deliveredTimes.length / ((lastDelivered - measured.started) / 1000)),
      window_seconds: Number(((windowEnd - measured.started) / 1000).toFixed(1)),
      latency_ms: {
        accept: percentiles(acceptLatency),
        end_to_end: ACCEPT_ONLY ? null : percentiles(endToEnd),
        ...(stages ? { stages } : {}),
      },
      cpu_ms_per_event: {
        ...Object.fromEntries(Object.keys(pids).map((name) => [name, perEvent(spent[name])])),
        postgres: perEvent(spent.postgres),
        services: perEvent(services),
        services_and_postgres: perEvent(services + spent.postgres),
      },
      rss_mb: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, memoryMb(pid)])),
    };
  }
}

function percentiles(sorted) {
  const at = (p) => Number(percentile(sorted, p).toFixed(1));
  return { p50: at(50), p90: at(90), p99: at(99), max: Number((sorted.at(-1) ?? NaN).toFixed(1)) };
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
