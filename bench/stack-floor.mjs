#!/usr/bin/env node
// What the building blocks of the stack cost on this machine, per request, in CPU ms from /proc:
// the floor under any design built on them. Each block runs in a process of its own, driven by
// keep-alive requests (64 in flight), and only that process's CPU is counted:
//
//   http-server     node:http answering a small JSON POST (what any HTTP API pays per request)
//   nest-api        the built Caravan api's GET /healthz: NestJS, Express, the request logger and
//                   metrics, no authentication, validation or database
//   http-client     node:http POSTing 1 KB to a local server (the sending side of a webhook)
//   got-client      got POSTing 1 KB the same way, as the dispatcher does
//   pg-roundtrip    `SELECT 1` through pg: the client process and its Postgres backend
//
//   node bench/stack-floor.mjs [--requests 20000]     (the api must be built: nx build api)
import { spawn } from 'node:child_process';
import { createServer, request as httpRequest, Agent } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { cpuMs } from './process-usage.mjs';
import { freePort } from '../test/faults/free-port.mjs';

const { values: options } = parseArgs({
  options: { requests: { type: 'string', default: '20000' }, child: { type: 'string' }, port: { type: 'string' } },
});
const REQUESTS = Number(options.requests);
const IN_FLIGHT = 64;
const root = join(import.meta.dirname, '..');
const adminUrl = process.env.CARAVAN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/caravan_test';
const PG_APPLICATION = `caravan-stack-floor-${process.ppid}`;
const body = Buffer.from(JSON.stringify({ event_type: 'floor', data: { padding: 'x'.repeat(980) } }));

if (options.child) {
  await runChild(options.child, Number(options.port));
} else {
  await main();
}

/** The measured side of each block, in its own process; prints nothing, exits when told. */
async function runChild(kind, port) {
  if (kind === 'http-server') {
    createServer((req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"status":true}');
      });
    }).listen(port, '127.0.0.1', () => process.send?.('ready'));
    return;
  }
  if (kind === 'http-client' || kind === 'got-client') {
    const send =
      kind === 'got-client'
        ? await gotSender(port)
        : httpSender(new Agent({ keepAlive: true, maxSockets: IN_FLIGHT }), port);
    process.on('message', async () => {
      await drive(send);
      process.send?.('done');
    });
    process.send?.('ready');
    return;
  }
  if (kind === 'pg-roundtrip') {
    const pool = new pg.Pool({ connectionString: adminUrl, max: 10, application_name: PG_APPLICATION });
    await pool.query('SELECT 1');
    process.on('message', async () => {
      await drive(() => pool.query('SELECT 1'));
      process.send?.('done');
    });
    process.send?.('ready');
    return;
  }
  throw new Error(`unknown block ${kind}`);
}

function httpSender(agent, port) {
  return () =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/hooks',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

/** got as the dispatcher's WebhookClient uses it: a stream, read to its end, the body owning its bytes. */
async function gotSender(port) {
  const { default: got } = await import('got');
  const client = got.extend({
    agent: { http: new Agent({ keepAlive: true, maxSockets: IN_FLIGHT }) },
    followRedirect: false,
    throwHttpErrors: false,
    retry: { limit: 0 },
  });
  const owned = Buffer.from(new ArrayBuffer(body.length));
  body.copy(owned);
  return async () => {
    const stream = client.stream.post(`http://127.0.0.1:${port}/hooks`, {
      body: owned,
      headers: { 'content-type': 'application/json' },
      timeout: { request: 10_000 },
    });
    for await (const chunk of stream) void chunk;
    stream.destroy();
  };
}

/** REQUESTS calls of `send`, IN_FLIGHT at a time. */
async function drive(send) {
  let remaining = REQUESTS;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (remaining > 0) {
        remaining -= 1;
        await send();
      }
    }),
  );
}

function startChild(kind, port, extraEnv = {}) {
  const child = spawn(
    process.execPath,
    [import.meta.filename, '--child', kind, '--port', String(port), '--requests', String(REQUESTS)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...extraEnv },
    },
  );
  const messages = [];
  const waiters = [];
  child.on('message', (message) => {
    messages.push(message);
    for (const wake of waiters.splice(0)) wake();
  });
  const next = async (predicate) => {
    for (;;) {
      const index = messages.findIndex(predicate);
      if (index >= 0) return messages.splice(index, 1)[0];
      await new Promise((resolve) => waiters.push(resolve));
    }
  };
  return { child, next };
}

async function measure(pids, work) {
  const before = pids.map(cpuMs);
  await work();
  const after = pids.map(cpuMs);
  return Number((after.reduce((sum, value, i) => sum + value - before[i], 0) / REQUESTS).toFixed(3));
}

async function main() {
  const results = {};
  const localAgent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

  // Servers: this process drives them; only the server's CPU counts.
  {
    const port = await freePort();
    const server = startChild('http-server', port);
    await server.next((m) => m === 'ready');
    const send = httpSender(localAgent, port);
    await drive(send); // warm-up
    results['http-server'] = await measure([server.child.pid], () => drive(send));
    server.child.kill();
  }
  {
    const port = await freePort();
    const api = spawn(process.execPath, [join(root, 'dist/apps/api/main.js')], {
      stdio: 'ignore',
      env: {
        ...process.env,
        CARAVAN_HTTP_HOST: '127.0.0.1',
        CARAVAN_HTTP_PORT: String(port),
        CARAVAN_DATABASE_URL: adminUrl,
        CARAVAN_LOG_LEVEL: 'warn',
      },
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('api not up within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const get = () =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/healthz', agent: localAgent }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
    await drive(get);
    results['nest-api'] = await measure([api.pid], () => drive(get));
    api.kill();
  }

  // Clients: a server in this process answers; only the client's CPU counts.
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
  for (const kind of ['http-client', 'got-client']) {
    const client = startChild(kind, sink.address().port);
    await client.next((m) => m === 'ready');
    client.child.send('go'); // warm-up
    await client.next((m) => m === 'done');
    results[kind] = await measure([client.child.pid], async () => {
      client.child.send('go');
      await client.next((m) => m === 'done');
    });
    client.child.kill();
  }
  sink.close();

  {
    const client = startChild('pg-roundtrip', 0);
    await client.next((m) => m === 'ready');
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    client.child.send('go'); // warm-up (opens the pool's connections)
    await client.next((m) => m === 'done');
    // The child's PG_APPLICATION is derived from its parent's pid: this process.
    const backendPids = (
      await admin.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
        `caravan-stack-floor-${process.pid}`,
      ])
    ).rows.map((row) => row.pid);
    const clientOnly = await measure([client.child.pid], async () => {
      client.child.send('go');
      await client.next((m) => m === 'done');
    });
    const withBackends = await measure([client.child.pid, ...backendPids], async () => {
      client.child.send('go');
      await client.next((m) => m === 'done');
    });
    results['pg-roundtrip'] = { client: clientOnly, client_and_backend: withBackends };
    await admin.end();
    client.child.kill();
  }

  console.log(JSON.stringify({ requests: REQUESTS, in_flight: IN_FLIGHT, cpu_ms_per_request: results }, null, 2));
}
