#!/usr/bin/env node
// The fault-injection suite: delivery under faults, measured. It starts an isolated Caravan
// (its own Postgres cluster on a free port, its own Kafka broker, its own topics and ports),
// the built api, ingester and dispatcher, and a receiver that counts every delivery by a
// token carried in the event's data. Events flow at a fixed rate through the REST API and
// through a Kafka pub_sub source while faults are injected: SIGKILL + restart of each service
// in turn, one Kafka restart, one Postgres restart. At the end it reports accepted, delivered,
// lost (must be 0), duplicates (each charged to its cause by the ids it carried, see
// attribution.mjs), the longest time without deliveries after each fault, rows left non-final
// and accepted→delivered latency, and exits non-zero when a check fails.
//
//   scripts/faults.sh [--profile ci|full] [--seconds N] [--rate N] [--kafka-rate N] [--fault-every N]
//
// ci (run by scripts/test.sh): about 2 minutes, a few thousand events, each fault once.
// full (npm run faults): 100,000 events at 200/s, a fault every 10 s.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync, chownSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify, parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { freePort } from './free-port.mjs';
import { attributeDuplicates, countByCause, faultBetween } from './attribution.mjs';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

const PROFILES = {
  // ~2 minutes of load, every fault once: 20/s over the REST API, 5/s through Kafka. Its gap
  // limits allow for a CI machine shared with other work (a restarted service's boot counts);
  // the full run holds the targets.
  ci: {
    seconds: 100,
    rate: 20,
    kafkaRate: 5,
    faultEvery: 18,
    drainSeconds: 120,
    gapLimitKill: 30,
    gapLimitRestart: 60,
  },
  // 100,000 events at 200/s (150 REST + 50 Kafka), a fault every 10 s.
  full: {
    seconds: 500,
    rate: 150,
    kafkaRate: 50,
    faultEvery: 10,
    drainSeconds: 180,
    gapLimitKill: 10,
    gapLimitRestart: 30,
  },
};

const { values: args } = parseArgs({
  options: {
    profile: { type: 'string', default: 'ci' },
    seconds: { type: 'string' },
    rate: { type: 'string' },
    'kafka-rate': { type: 'string' },
    'fault-every': { type: 'string' },
  },
});
const profile = PROFILES[args.profile];
if (!profile) throw new Error(`unknown profile ${args.profile} (ci or full)`);
const SECONDS = Number(args.seconds ?? profile.seconds);
const RATE = Number(args.rate ?? profile.rate);
const KAFKA_RATE = Number(args['kafka-rate'] ?? profile.kafkaRate);
const FAULT_EVERY = Number(args['fault-every'] ?? profile.faultEvery);

const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const stateDir = join(process.env.CARAVAN_STATE_DIR ?? join(root, '.run'), 'faults', runId);
mkdirSync(stateDir, { recursive: true });
const t0 = Date.now();
const log = (message) => console.log(`faults [${((Date.now() - t0) / 1000).toFixed(1)}s] ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ------------------------------------------------------------------ Postgres (own cluster)

function postgresBin() {
  const base = '/usr/lib/postgresql';
  const version = readdirSync(base)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a))[0];
  if (!version) throw new Error(`no PostgreSQL binaries under ${base}`);
  return join(base, version, 'bin');
}

/** A throw-away cluster of the machine's PostgreSQL, so the shared server is never restarted. */
class PostgresCluster {
  constructor(port) {
    this.port = port;
    this.bin = postgresBin();
    this.dir = mkdtempSync(join(tmpdir(), 'caravan-faults-pg-'));
    this.data = join(this.dir, 'data');
    this.asRoot = process.getuid?.() === 0;
  }
  async pgctl(...argv) {
    const command = [join(this.bin, 'pg_ctl'), ...argv];
    if (this.asRoot) await run('runuser', ['-u', 'postgres', '--', ...command], { timeout: 120_000 });
    else await run(command[0], command.slice(1), { timeout: 120_000 });
  }
  async init() {
    if (this.asRoot) chownSync(this.dir, uidOf('postgres'), gidOf('postgres'));
    const initdb = [
      join(this.bin, 'initdb'),
      '-D',
      this.data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ];
    if (this.asRoot) await run('runuser', ['-u', 'postgres', '--', ...initdb], { timeout: 120_000 });
    else await run(initdb[0], initdb.slice(1), { timeout: 120_000 });
    await this.start();
  }
  start() {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off`;
    return this.pgctl('-D', this.data, '-l', join(this.dir, 'postgres.log'), '-o', options, '-w', 'start');
  }
  /** An abrupt stop (crash-like), then a start: a restart of the database under load. */
  async restart(downMs) {
    await this.pgctl('-D', this.data, '-m', 'immediate', 'stop');
    await sleep(downMs);
    await this.start();
  }
  url(database) {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }
  async destroy() {
    await this.pgctl('-D', this.data, '-m', 'immediate', 'stop').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function idOf(flag, user) {
  return Number(execFileSync('id', [flag, user]).toString().trim());
}
const uidOf = (user) => idOf('-u', user);
const gidOf = (user) => idOf('-g', user);

// ------------------------------------------------------------------ Kafka (own broker)

/** Its own broker from the project's infra script, restartable with its data kept. */
class KafkaBroker {
  constructor(port, controllerPort) {
    this.port = port;
    this.env = {
      ...process.env,
      KAFKA_INSTANCE: `faults-${runId}`,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      CARAVAN_STATE_DIR: mkdtempSync(join(tmpdir(), 'caravan-faults-kafka-')),
      CARAVAN_KAFKA_PARTITIONS: '3',
    };
    this.script = join(root, 'scripts', 'infra.sh');
  }
  get brokers() {
    return `127.0.0.1:${this.port}`;
  }
  up() {
    return run(this.script, ['up', 'kafka'], { env: this.env, timeout: 240_000 });
  }
  down() {
    return run(this.script, ['down', 'kafka'], { env: this.env, timeout: 120_000 });
  }
  async destroy() {
    await this.down().catch(() => undefined);
    rmSync(this.env.CARAVAN_STATE_DIR, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ services

class Service {
  constructor(name, port, env) {
    Object.assign(this, { name, port, env, restarts: 0 });
  }
  start() {
    const out = openSync(join(stateDir, `${this.name}.log`), 'a');
    this.child = spawn(process.execPath, [join(root, 'dist', 'apps', this.name, 'main.js')], {
      cwd: root,
      env: { ...process.env, ...this.env, CARAVAN_HTTP_HOST: '127.0.0.1', CARAVAN_HTTP_PORT: String(this.port) },
      stdio: ['ignore', out, out],
    });
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
  }
  async ready(timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    const child = this.child;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.name} exited`);
      try {
        if ((await fetch(`http://127.0.0.1:${this.port}/readyz`)).status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    throw new Error(`${this.name} not ready within ${timeoutMs} ms (see ${stateDir}/${this.name}.log)`);
  }
  async kill(signal = 'SIGKILL') {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}

// ------------------------------------------------------------------ the run

async function main() {
  const pgPort = await freePort();
  const kafkaPort = await freePort();
  // Its own free port too: the port after the broker's may well be taken (a CI run failed so).
  let controllerPort = await freePort();
  while (controllerPort === kafkaPort || controllerPort === pgPort) controllerPort = await freePort();
  const postgres = new PostgresCluster(pgPort);
  const kafka = new KafkaBroker(kafkaPort, controllerPort);
  const services = [];
  const cleanup = async () => {
    await Promise.all(services.map((service) => service.kill('SIGKILL').catch(() => undefined)));
    await kafka.destroy();
    await postgres.destroy();
  };
  try {
    return await exercise(postgres, kafka, services);
  } finally {
    await cleanup();
  }
}

async function exercise(postgres, kafka, services) {
  log(`state in ${stateDir}; Postgres on ${postgres.port}, Kafka on ${kafka.port}`);
  await Promise.all([postgres.init(), kafka.up()]);
  const admin = new pg.Client({ connectionString: postgres.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE caravan');
  await admin.end();
  const databaseUrl = postgres.url('caravan');
  await run(process.execPath, [join(root, 'dist/apps/api/migrate.js')], {
    env: { ...process.env, CARAVAN_DATABASE_URL: databaseUrl },
    timeout: 120_000,
  });

  // The receiver: 200 at once; notes every delivery of every token with the ids Caravan sent
  // (X-Convoy-Event-ID, X-Convoy-Delivery-ID), so each repeat is charged to its cause.
  const deliveries = new Map();
  const deliveryTimes = [];
  const kafkaDeliveryTimes = [];
  let totalDeliveries = 0;
  const receiver = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const at = Date.now();
      let token;
      try {
        token = JSON.parse(Buffer.concat(chunks).toString('utf8')).t;
      } catch {
        token = undefined;
      }
      if (typeof token === 'string') {
        totalDeliveries += 1;
        deliveryTimes.push(at);
        if (token.startsWith('k')) kafkaDeliveryTimes.push(at);
        const receipt = {
          at,
          eventId: String(request.headers['x-convoy-event-id'] ?? ''),
          deliveryId: String(request.headers['x-convoy-delivery-id'] ?? ''),
        };
        const seen = deliveries.get(token);
        if (seen) seen.receipts.push(receipt);
        else deliveries.set(token, { first: at, receipts: [receipt] });
      }
      response.writeHead(200).end('ok');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));

  const adminKey = `faults-admin-key-${runId}-0123456789abcdefghijklmnop`;
  const common = {
    CARAVAN_DATABASE_URL: databaseUrl,
    CARAVAN_DATABASE_POOL_SIZE: '10',
    CARAVAN_KAFKA_BROKERS: kafka.brokers,
    CARAVAN_KAFKA_EVENTS_TOPIC: `faults.events.${runId}`,
    CARAVAN_KAFKA_DELIVERIES_TOPIC: `faults.deliveries.${runId}`,
    CARAVAN_KAFKA_PARTITIONS: '3',
    CARAVAN_ADMIN_API_KEY: adminKey,
    CARAVAN_SSRF_ALLOW_CIDRS: '127.0.0.0/8',
    // The Kafka source's broker is this suite's own, on loopback: the ingester's guard must allow it.
    CARAVAN_INGESTER_BROKER_ALLOW_CIDRS: '127.0.0.0/8',
    CARAVAN_LOG_LEVEL: 'warn',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
  // The dispatcher and the ingester log little at level log (their boots, group joins, retries), and
  // those lines date each recovery; the api would log every request.
  for (const name of ['api', 'dispatcher', 'ingester']) {
    const env = name === 'api' ? common : { ...common, CARAVAN_LOG_LEVEL: 'log' };
    services.push(new Service(name, await freePort(), env));
  }
  const [apiService] = services;
  for (const service of services) service.start();
  await Promise.all(services.map((service) => service.ready()));
  log('services ready');

  const api = async (method, path, key, body) => {
    const response = await fetch(`http://127.0.0.1:${apiService.port}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const json = await response.json();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json.data;
  };
  const { project, api_key } = await api('POST', '/api/v1/projects', adminKey, {
    name: 'faults',
    type: 'outgoing',
    config: { strategy: { type: 'linear', duration: 1, retry_count: 20 } },
  });
  const key = api_key.key;
  const endpoint = await api('POST', `/api/v1/projects/${project.uid}/endpoints`, key, {
    name: 'receiver',
    url: `http://127.0.0.1:${receiver.address().port}/hooks`,
    http_timeout: 10,
  });
  const sourceTopic = `faults.source.${runId}`;
  const kafkaClient = new Kafka({ clientId: 'faults', brokers: [kafka.brokers], logLevel: logLevel.NOTHING });
  const kafkaAdmin = kafkaClient.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.createTopics({ waitForLeaders: true, topics: [{ topic: sourceTopic, numPartitions: 3 }] });
  await kafkaAdmin.disconnect();
  await api('POST', `/api/v1/projects/${project.uid}/sources`, key, {
    name: 'faults-kafka',
    type: 'pub_sub',
    pub_sub: { type: 'kafka', workers: 1, kafka: { brokers: [kafka.brokers], topic_name: sourceTopic } },
  });
  const producer = kafkaClient.producer({ retry: { retries: 3 } });
  await producer.connect();
  // Let the ingester pick the source up before the clock starts.
  await sleep(5_000);

  // ---------------------------------------------------------------- load and faults
  const accepted = new Map();
  const refused = { rest: 0, kafka: 0 };
  let seq = 0;
  let inFlight = 0;
  const sendRest = async () => {
    const token = `r${seq++}`;
    inFlight += 1;
    try {
      await api('POST', `/api/v1/projects/${project.uid}/events`, key, {
        endpoint_id: endpoint.uid,
        event_type: 'fault.test',
        data: { t: token },
      });
      accepted.set(token, Date.now());
    } catch {
      refused.rest += 1;
    } finally {
      inFlight -= 1;
    }
  };
  const sendKafka = async (count) => {
    const messages = Array.from({ length: count }, () => {
      const token = `k${seq++}`;
      return {
        token,
        value: JSON.stringify({ endpoint_id: endpoint.uid, event_type: 'fault.test', data: { t: token } }),
      };
    });
    try {
      await producer.send({ topic: sourceTopic, acks: -1, messages: messages.map(({ value }) => ({ value })) });
      const now = Date.now();
      for (const { token } of messages) accepted.set(token, now);
    } catch {
      refused.kafka += count;
    }
  };

  const faults = [];
  const kill = (service) => async (record) => {
    await service.kill('SIGKILL');
    await sleep(1_000 + Math.random() * 2_000);
    service.start();
    service.restarts += 1;
    // When the new process answered /readyz: its boot, apart from the wait to join its groups.
    const spawned = Date.now();
    service.ready().then(
      () => (record.ready = { spawned, at: Date.now() }),
      () => undefined,
    );
  };
  const plan = [
    { name: 'SIGKILL api', kind: 'kill', run: kill(services[0]) },
    { name: 'SIGKILL dispatcher', kind: 'kill', run: kill(services[1]) },
    { name: 'SIGKILL ingester', kind: 'kill', run: kill(services[2]) },
    { name: 'Kafka restart', kind: 'restart', run: async () => (await kafka.down(), await kafka.up()) },
    { name: 'Postgres restart', kind: 'restart', run: () => postgres.restart(2_000) },
  ];
  // Every fault once, then SIGKILLs in turn; the Kafka and Postgres restarts happen once each.
  const schedule = [];
  for (let at = FAULT_EVERY, i = 0; at < SECONDS - 5; at += FAULT_EVERY, i++) {
    schedule.push({ at, fault: i < plan.length ? plan[i] : plan[i % 3] });
  }

  // Once a second, where rows wait: events not routed, deliveries not claimed, claims whose
  // lease lapsed. Read back per fault to tell which stage a stall or a late delivery sat in.
  const samples = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const tick = Date.now();
      const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 1_000 });
      // The Postgres restart can cut the connection between statements, which pg reports as an
      // 'error' event rather than a rejected query: a sample lost, not a crash of the suite.
      client.on('error', () => undefined);
      try {
        await client.connect();
        const { rows } = await client.query(
          `SELECT (SELECT count(*) FROM events WHERE status = 'Pending' AND NOT is_duplicate_event
                     AND created_at < now() - interval '2 seconds')::int AS pending_events,
                  count(*) FILTER (WHERE status = 'Scheduled' AND created_at < now() - interval '2 seconds')::int AS scheduled_stale,
                  count(*) FILTER (WHERE status = 'Processing')::int AS processing,
                  count(*) FILTER (WHERE status = 'Processing' AND lease_until < now())::int AS processing_lapsed,
                  count(*) FILTER (WHERE status = 'Retry')::int AS retry
           FROM event_deliveries WHERE status IN ('Scheduled', 'Processing', 'Retry')`,
        );
        samples.push({ at: tick, ...rows[0] });
      } catch {
        samples.push({ at: tick, unreachable: true });
      } finally {
        await client.end().catch(() => undefined);
      }
      await sleep(Math.max(0, 1_000 - (Date.now() - tick)));
    }
  })();

  const started = Date.now();
  // The load goes on until the planned time, and at least 15 s past the last fault's recovery.
  let loadEnds = started + SECONDS * 1000;
  const restInterval = 1000 / Math.max(RATE, 1);
  const sending = (async () => {
    let next = started;
    while (Date.now() < loadEnds) {
      if (RATE > 0 && inFlight < 512) void sendRest();
      next += restInterval;
      await sleep(Math.max(0, next - Date.now()));
    }
  })();
  const kafkaSending = (async () => {
    while (KAFKA_RATE > 0 && Date.now() < loadEnds) {
      const tick = Date.now();
      await sendKafka(Math.max(1, Math.round(KAFKA_RATE / 10)));
      await sleep(Math.max(0, 100 - (Date.now() - tick)));
    }
  })();
  const injecting = (async () => {
    for (const { at, fault } of schedule) {
      await sleep(Math.max(0, started + at * 1000 - Date.now()));
      const record = { name: fault.name, kind: fault.kind, at: Date.now() };
      faults.push(record);
      log(`fault: ${fault.name}`);
      try {
        await fault.run(record);
      } catch (error) {
        record.error = error.message;
        log(`fault ${fault.name} failed to inject: ${error.message}`);
      }
      record.recovered = Date.now();
    }
    loadEnds = Math.max(loadEnds, Date.now() + 15_000);
  })();
  await Promise.all([sending, kafkaSending, injecting]);
  while (inFlight > 0) await sleep(100);
  log(`load done: ${accepted.size} accepted; draining`);

  const drainDeadline = Date.now() + profile.drainSeconds * 1000;
  const undelivered = () => [...accepted.keys()].filter((token) => !deliveries.has(token));
  while (undelivered().length > 0 && Date.now() < drainDeadline) await sleep(500);
  // A moment more for late duplicates and the last outcomes to be written.
  await sleep(3_000);
  sampling = false;
  await sampler;

  // ---------------------------------------------------------------- report
  const check = new pg.Client({ connectionString: databaseUrl });
  await check.connect();
  const nonFinal = Number(
    (
      await check.query(
        `SELECT (SELECT count(*) FROM event_deliveries WHERE status NOT IN ('Success','Failure','Discarded'))
              + (SELECT count(*) FROM events WHERE status = 'Pending' AND NOT is_duplicate_event) AS n`,
      )
    ).rows[0].n,
  );
  const lostTokens = undelivered();
  let lostDetail = [];
  if (lostTokens.length > 0) {
    lostDetail = (
      await check.query(
        `SELECT convert_from(e.raw, 'UTF8') AS data, e.status AS event_status, e.created_at, d.status, d.attempts, d.lease_until, d.description
         FROM events e LEFT JOIN event_deliveries d ON d.event_id = e.id
         WHERE convert_from(e.raw, 'UTF8')::jsonb->>'t' = ANY($1) LIMIT 20`,
        [lostTokens.slice(0, 200)],
      )
    ).rows;
  }
  // Every repeat charged to its cause by the ids it carried; the resent ones with the attempts
  // the database recorded for their delivery (fewer than the copies received: an outcome lost).
  const duplicateList = attributeDuplicates(deliveries, faults);
  const resentIds = [...new Set(duplicateList.filter((d) => d.cause.startsWith('resent')).map((d) => d.deliveryId))];
  const attemptsOf = new Map(
    (
      await check.query(
        `SELECT event_delivery_id AS id, count(*)::int AS recorded,
                array_agg(coalesce(http_status::text, error) ORDER BY created_at) AS results
         FROM delivery_attempts WHERE event_delivery_id = ANY($1) GROUP BY event_delivery_id`,
        [resentIds],
      )
    ).rows.map((row) => [row.id, row]),
  );
  // The same payload stored twice: both events, with their idempotency keys.
  const twiceIngested = [...new Set(duplicateList.filter((d) => d.cause === 'ingested_twice').map((d) => d.token))];
  const ingestedRows = twiceIngested.length
    ? (
        await check.query(
          `SELECT convert_from(raw, 'UTF8')::jsonb->>'t' AS token, id, created_at, idempotency_key, is_duplicate_event
           FROM events WHERE convert_from(raw, 'UTF8')::jsonb->>'t' = ANY($1) ORDER BY created_at`,
          [twiceIngested.slice(0, 200)],
        )
      ).rows
    : [];

  // The late deliveries (the slowest 1 %): where their time went, from their rows.
  const latencyOf = [...accepted]
    .filter(([token]) => deliveries.has(token))
    .map(([token, at]) => ({ token, acceptedAt: at, deliveredAt: deliveries.get(token).first }))
    .map((row) => ({ ...row, latency: Math.max(0, row.deliveredAt - row.acceptedAt) }))
    .sort((a, b) => a.latency - b.latency);
  const late = latencyOf.slice(Math.floor(latencyOf.length * 0.99));
  const lateRows = new Map(
    late.length
      ? (
          await check.query(
            `SELECT convert_from(e.raw, 'UTF8')::jsonb->>'t' AS token, e.created_at AS stored_at,
                    min(d.created_at) AS routed_at, max(d.attempts) AS attempts,
                    min(a.created_at) AS first_attempt_at,
                    array_agg(coalesce(a.http_status::text, a.error) ORDER BY a.created_at) AS results
             FROM events e JOIN event_deliveries d ON d.event_id = e.id
             LEFT JOIN delivery_attempts a ON a.event_delivery_id = d.id
             WHERE convert_from(e.raw, 'UTF8')::jsonb->>'t' = ANY($1) AND NOT e.is_duplicate_event
             GROUP BY e.id`,
            [late.map((row) => row.token)],
          )
        ).rows.map((row) => [row.token, row])
      : [],
  );
  // How long after the receiver had a delivery its outcome was written (the row's last
  // update): a dispatcher killed within this window sends it again. Rate × this window bounds
  // the duplicates of a kill.
  const outcomeAt = new Map(
    (await check.query(`SELECT id, updated_at FROM event_deliveries WHERE status = 'Success'`)).rows.map((row) => [
      row.id,
      new Date(row.updated_at).getTime(),
    ]),
  );
  const outcomeLags = [];
  for (const { receipts } of deliveries.values()) {
    const last = receipts.at(-1);
    if (outcomeAt.has(last.deliveryId)) outcomeLags.push(outcomeAt.get(last.deliveryId) - last.at);
  }
  outcomeLags.sort((a, b) => a - b);
  // When each Kafka-source event was stored: the ingester's own recovery, which deliveries of
  // a backlog can hide.
  const kafkaStoredTimes = (
    await check.query(
      `SELECT (extract(epoch FROM created_at) * 1000)::float8 AS at FROM events
       WHERE source_id IS NOT NULL AND NOT is_duplicate_event ORDER BY created_at`,
    )
  ).rows.map((row) => Number(row.at));
  // Events stored per second by channel, for the timeline: a stalled source shows as zeros.
  const storedPerSecond = { rest: [], kafka: [] };
  for (const row of (
    await check.query(
      `SELECT source_id IS NOT NULL AS kafka, floor((extract(epoch FROM created_at) * 1000 - $1) / 1000)::int AS s,
              count(*)::int AS n
       FROM events WHERE NOT is_duplicate_event GROUP BY 1, 2 ORDER BY 2`,
      [started],
    )
  ).rows) {
    if (row.s >= 0) storedPerSecond[row.kafka ? 'kafka' : 'rest'][row.s] = row.n;
  }
  await check.end();
  await producer.disconnect().catch(() => undefined);
  receiver.close();

  deliveryTimes.sort((a, b) => a - b);
  kafkaDeliveryTimes.sort((a, b) => a - b);
  const lastDelivery = deliveryTimes.at(-1) ?? loadEnds;
  const faultReports = faults.map((fault, index) => {
    const windowEnd = faults[index + 1]?.at ?? Math.max(loadEnds, lastDelivery);
    // A killed service is Caravan's to recover from the kill; a broker or database restart is
    // Caravan's to recover from once the broker or database is back.
    const from = fault.kind === 'kill' ? fault.at : fault.recovered;
    const longest = longestWithout(deliveryTimes, from, windowEnd);
    return {
      fault: fault.name,
      at_s: Math.round((fault.at - started) / 100) / 10,
      injected_in_s: Math.round((fault.recovered - fault.at) / 100) / 10,
      ...(fault.ready
        ? {
            restarted_at_s: Math.round((fault.ready.spawned - fault.at) / 100) / 10,
            ready_at_s: Math.round((fault.ready.at - fault.at) / 100) / 10,
          }
        : {}),
      measured_from: fault.kind === 'kill' ? 'the kill' : 'the restart',
      longest_without_deliveries_s: Math.round(longest / 100) / 10,
      // The Kafka source's events alone: REST deliveries going on hide a stalled source.
      longest_without_kafka_source_deliveries_s:
        KAFKA_RATE > 0 ? Math.round(longestWithout(kafkaDeliveryTimes, from, windowEnd) / 100) / 10 : null,
      longest_without_kafka_source_ingest_s:
        KAFKA_RATE > 0 ? Math.round(longestWithout(kafkaStoredTimes, from, windowEnd) / 100) / 10 : null,
      limit_s: fault.kind === 'kill' ? profile.gapLimitKill : profile.gapLimitRestart,
      // Repeated deliveries charged to this fault by their cause (see attribution.mjs).
      duplicates: countByCause(duplicateList.filter((d) => d.fault === index)),
      // The most rows waiting at once until the next fault: events not routed 2 s after
      // acceptance, deliveries not claimed 2 s after routing, claims whose lease lapsed.
      most_waiting: mostWaiting(samples.filter((sample) => sample.at >= fault.at && sample.at < windowEnd)),
      ...(fault.error ? { error: fault.error } : {}),
    };
  });
  const latencies = [...accepted]
    .filter(([token]) => deliveries.has(token))
    .map(([token, at]) => Math.max(0, deliveries.get(token).first - at))
    .sort((a, b) => a - b);
  const pct = (p) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : null;
  const uniqueDelivered = [...accepted.keys()].filter((token) => deliveries.has(token)).length;
  const duplicates = totalDeliveries - deliveries.size;
  const report = {
    profile: args.profile,
    seconds: SECONDS,
    rate_per_second: { rest: RATE, kafka: KAFKA_RATE },
    accepted: accepted.size,
    refused,
    delivered: uniqueDelivered,
    lost: lostTokens.length,
    stored_although_request_failed: [...deliveries.keys()].filter((token) => !accepted.has(token)).length,
    deliveries: totalDeliveries,
    duplicates,
    duplicates_percent: totalDeliveries ? Math.round((duplicates / totalDeliveries) * 10_000) / 100 : 0,
    rows_left_non_final: nonFinal,
    duplicates_by_cause: countByCause(duplicateList),
    duplicates_by_fault: Object.fromEntries(
      [...new Set(faults.map((fault) => fault.name)), 'none'].flatMap((name) => {
        const of = duplicateList.filter((d) => (faults[d.fault]?.name ?? 'none') === name);
        const count = faults.filter((fault) => fault.name === name).length;
        if (name === 'none' && of.length === 0) return [];
        return [
          [
            name,
            {
              faults: count,
              duplicates: of.length,
              per_fault: count ? Math.round((of.length / count) * 10) / 10 : null,
              by_cause: countByCause(of),
            },
          ],
        ];
      }),
    ),
    duplicate_sample: duplicateList.slice(0, 15).map((d) => ({
      cause: d.cause,
      fault: faults[d.fault]?.name ?? 'none',
      first_copy_s: Math.round((d.firstAt - started) / 100) / 10,
      repeat_s: Math.round((d.at - started) / 100) / 10,
      delivery_id: d.deliveryId,
      ...(attemptsOf.has(d.deliveryId)
        ? { attempts_recorded: attemptsOf.get(d.deliveryId).recorded, results: attemptsOf.get(d.deliveryId).results }
        : {}),
    })),
    ...(ingestedRows.length ? { ingested_twice_sample: ingestedRows.slice(0, 10) } : {}),
    latency_ms: { p50: pct(50), p90: pct(90), p99: pct(99), max: latencies.at(-1) ?? null },
    over_15_s: latencies.filter((ms) => ms > 15_000).length,
    // Received → outcome written (ms), over every delivery ended Success.
    outcome_written_after_ms: {
      p50: outcomeLags[Math.floor(outcomeLags.length * 0.5)] ?? null,
      p90: outcomeLags[Math.floor(outcomeLags.length * 0.9)] ?? null,
      p99: outcomeLags[Math.floor(outcomeLags.length * 0.99)] ?? null,
      max: outcomeLags.at(-1) ?? null,
      mean: outcomeLags.length ? Math.round(outcomeLags.reduce((a, b) => a + b, 0) / outcomeLags.length) : null,
    },
    late: lateReport(late, lateRows, faults, started),
    faults: faultReports,
    ...(lostDetail.length ? { lost_sample: lostDetail } : {}),
    logs: stateDir,
  };
  writeFileSync(join(stateDir, 'report.json'), JSON.stringify(report, null, 2));
  // Deliveries and acceptances per second since the load started, for reading a run afterwards.
  const perSecond = (times) => {
    const counts = [];
    for (const at of times) {
      const second = Math.floor((at - started) / 1000);
      if (second >= 0) counts[second] = (counts[second] ?? 0) + 1;
    }
    return Array.from(counts, (count) => count ?? 0);
  };
  writeFileSync(
    join(stateDir, 'timeline.json'),
    JSON.stringify({
      faults: faultReports,
      delivered_per_second: perSecond(deliveryTimes),
      accepted_per_second: perSecond([...accepted.values()].sort((a, b) => a - b)),
      stored_per_second: {
        rest: Array.from(storedPerSecond.rest, (n) => n ?? 0),
        kafka: Array.from(storedPerSecond.kafka, (n) => n ?? 0),
      },
      waiting: samples.map(({ at, ...counts }) => ({ s: Math.round((at - started) / 100) / 10, ...counts })),
    }),
  );
  console.log(JSON.stringify(report, null, 2));

  const failures = [];
  if (report.accepted === 0) failures.push('no event was accepted');
  if (report.lost > 0) failures.push(`${report.lost} accepted event(s) never delivered`);
  if (report.rows_left_non_final > 0) failures.push(`${report.rows_left_non_final} row(s) left non-final`);
  for (const fault of faultReports) {
    if (fault.error) failures.push(`${fault.fault} could not be injected: ${fault.error}`);
    else if (fault.longest_without_deliveries_s > fault.limit_s)
      failures.push(
        `${fault.fault} at ${fault.at_s} s: ${fault.longest_without_deliveries_s} s without deliveries (limit ${fault.limit_s} s)`,
      );
  }
  return failures;
}

/**
 * The wait for the first of `times` (sorted) after `from` (however long, past the next fault
 * too), and the longest pause between them until `windowEnd`.
 */
function longestWithout(times, from, windowEnd) {
  const first = times.find((at) => at > from);
  let longest = first === undefined ? Math.max(0, Date.now() - from) : first - from;
  let previous = first ?? from;
  for (const at of times) {
    if (at <= previous) continue;
    // A pause that starts before the next fault counts whole, however far past it it lasts
    // (cut at the next fault, a 22 s stall after a dispatcher kill once read as 0 s).
    longest = Math.max(longest, at - previous);
    if (at > windowEnd) break;
    previous = at;
  }
  return longest;
}

/** The largest of each waiting count over `samples` (and how many samples found Postgres unreachable). */
function mostWaiting(samples) {
  const most = { pending_events: 0, scheduled_stale: 0, processing: 0, processing_lapsed: 0, retry: 0 };
  let unreachable = 0;
  for (const sample of samples) {
    if (sample.unreachable) unreachable += 1;
    else for (const key of Object.keys(most)) most[key] = Math.max(most[key], sample[key]);
  }
  return { ...most, ...(unreachable ? { unreachable_s: unreachable } : {}) };
}

/**
 * The slowest 1 % of deliveries, grouped by the fault that held them up, with the median time
 * of each stage: accepted → stored (a Kafka message waiting for the ingester), stored → routed
 * (the delivery row created), routed → first attempt recorded, and how many took more than one
 * attempt; then the slowest few whole.
 */
function lateReport(late, rows, faults, started) {
  const median = (values) => {
    const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
    return sorted.length ? sorted[Math.floor(sorted.length / 2)] : null;
  };
  const stages = late.map((row) => {
    const db = rows.get(row.token);
    const ms = (date) => (date ? new Date(date).getTime() : NaN);
    const fault = faultBetween(faults, row.acceptedAt, row.deliveredAt);
    const before = faults.findLastIndex((f) => f.at <= row.acceptedAt);
    return {
      token: row.token,
      fault: faults[fault]?.name ?? 'none',
      fault_at_s: fault >= 0 ? Math.round((faults[fault].at - started) / 100) / 10 : null,
      last_fault_before: before >= 0 ? faults[before].name : 'none',
      accepted_s: Math.round((row.acceptedAt - started) / 100) / 10,
      latency_ms: row.latency,
      stored_ms: db ? ms(db.stored_at) - row.acceptedAt : null,
      routed_ms: db ? ms(db.routed_at) - ms(db.stored_at) : null,
      first_attempt_ms: db ? ms(db.first_attempt_at) - ms(db.routed_at) : null,
      attempts: db ? Number(db.attempts) : null,
      results: db?.results ?? null,
    };
  });
  const byFault = {};
  for (const stage of stages) (byFault[stage.fault] ??= []).push(stage);
  return {
    count: late.length,
    from_ms: late[0]?.latency ?? null,
    by_fault: Object.fromEntries(
      Object.entries(byFault).map(([name, of]) => [
        name,
        {
          deliveries: of.length,
          median_ms: {
            latency: median(of.map((s) => s.latency_ms)),
            stored: median(of.map((s) => s.stored_ms)),
            routed: median(of.map((s) => s.routed_ms)),
            first_attempt: median(of.map((s) => s.first_attempt_ms)),
          },
          more_than_one_attempt: of.filter((s) => s.attempts > 1).length,
          kafka_source: of.filter((s) => s.token.startsWith('k')).length,
        },
      ]),
    ),
    slowest: stages.slice(-8).reverse(),
  };
}

main()
  .then((failures) => {
    if (failures.length > 0) {
      console.error(`faults: FAILED\n  - ${failures.join('\n  - ')}`);
      process.exitCode = 1;
    } else {
      log('all checks passed');
    }
  })
  .catch((error) => {
    console.error(`faults: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  });
