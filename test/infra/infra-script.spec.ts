// System test for scripts/infra.sh against a REAL Kafka broker.
//
// Starts a second, independent instance (KAFKA_INSTANCE=kafka-infra-test on 19192/19193,
// own state dir under the OS temp dir, shared jar cache) so it never touches the default
// broker on 9092 that other work relies on, and always stops it again in afterAll.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { expectOk, REPO_ROOT, RunResult, runInfra } from './support/infra-script';

const INSTANCE = 'kafka-infra-test';
const PORT = 19192;
const CONTROLLER_PORT = 19193;
const PARTITIONS = 3;
const EVENTS_TOPIC = 'caravan.events';
const DELIVERIES_TOPIC = 'caravan.deliveries';

// The first run may download the broker's jars from Maven Central.
jest.setTimeout(180_000);

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caravan-infra-test-'));
const instanceDir = path.join(stateDir, INSTANCE);
const pidfile = path.join(instanceDir, 'kafka.pid');

const baseEnv: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${path.join(REPO_ROOT, 'node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  CARAVAN_STATE_DIR: stateDir,
  CARAVAN_CACHE_DIR: process.env.CARAVAN_CACHE_DIR ?? path.join(REPO_ROOT, '.cache'),
  KAFKA_INSTANCE: INSTANCE,
  KAFKA_PORT: String(PORT),
  KAFKA_CONTROLLER_PORT: String(CONTROLLER_PORT),
  CARAVAN_KAFKA_EVENTS_TOPIC: EVENTS_TOPIC,
  CARAVAN_KAFKA_DELIVERIES_TOPIC: DELIVERIES_TOPIC,
  CARAVAN_KAFKA_PARTITIONS: String(PARTITIONS),
  KAFKAJS_NO_PARTITIONER_WARNING: '1',
};

function run(args: string[], env: NodeJS.ProcessEnv = baseEnv): Promise<RunResult> {
  return runInfra(args, env);
}

function readPid(): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidfile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

// Alive and not a zombie (the broker is reparented away from us, so a zombie would
// still answer kill(pid, 0)).
function processAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function kafkaClient(): Kafka {
  return new Kafka({
    clientId: 'infra-script-spec',
    brokers: [`127.0.0.1:${PORT}`],
    logLevel: logLevel.NOTHING,
  });
}

describe('scripts/infra.sh (real Kafka, separate instance)', () => {
  let brokerPid: number | undefined;
  const startedPid = (): number => {
    if (brokerPid === undefined) throw new Error('the broker was not started by the first test');
    return brokerPid;
  };

  beforeAll(async () => {
    // A previous aborted run may have left this instance's ports busy.
    expect(await portOpen(PORT)).toBe(false);
    expect(await portOpen(CONTROLLER_PORT)).toBe(false);
  });

  afterAll(async () => {
    await run(['down', 'kafka']);
    // Belt and braces: never leave a stray broker behind.
    const pid = readPid() ?? brokerPid;
    if (pid && processAlive(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('up starts the broker in the background and creates the topics', async () => {
    const r = await run(['up', 'kafka']);
    expectOk(r);
    expect(r.stdout).toMatch(/kafka\[kafka-infra-test\]: starting \S+ on 127\.0\.0\.1:19192 .*ready in [\d.]+s/);

    brokerPid = readPid();
    expect(brokerPid).toBeDefined();
    expect(processAlive(startedPid())).toBe(true);
    expect(await portOpen(PORT)).toBe(true);
    // State lives in the instance's own folder.
    expect(fs.existsSync(path.join(instanceDir, 'kafka.log'))).toBe(true);
    expect(fs.existsSync(path.join(instanceDir, 'data', 'meta.properties'))).toBe(true);
  });

  it('creates the topics with CARAVAN_KAFKA_PARTITIONS partitions', async () => {
    const admin = kafkaClient().admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({
        topics: [EVENTS_TOPIC, DELIVERIES_TOPIC],
      });
      const counts = Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]));
      expect(counts).toEqual({
        [EVENTS_TOPIC]: PARTITIONS,
        [DELIVERIES_TOPIC]: PARTITIONS,
      });
      for (const t of topics) for (const p of t.partitions) expect(p.leader).toBeGreaterThanOrEqual(0);
    } finally {
      await admin.disconnect();
    }
  });

  it('a kafkajs client can produce and consume on caravan.events', async () => {
    const kafka = kafkaClient();
    const producer = kafka.producer();
    const consumer = kafka.consumer({
      groupId: `infra-script-spec-${process.pid}-${Date.now()}`,
    });
    const marker = `hello-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    await Promise.all([producer.connect(), consumer.connect()]);
    try {
      await consumer.subscribe({ topic: EVENTS_TOPIC, fromBeginning: true });
      const received = new Promise<{
        key: string;
        value: string;
        partition: number;
      }>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message, partition }) => {
            const value = message.value?.toString() ?? '';
            if (value === marker) resolve({ key: message.key?.toString() ?? '', value, partition });
          },
        });
      });
      const [meta] = await producer.send({
        topic: EVENTS_TOPIC,
        acks: -1,
        messages: [{ key: 'endpoint-1', value: marker, headers: { 'x-test': 'infra' } }],
      });
      expect(meta.errorCode).toBe(0);

      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('message not consumed within 60 s')), 60_000);
      });
      try {
        const got = await Promise.race([received, timeout]);
        expect(got).toEqual({
          key: 'endpoint-1',
          value: marker,
          partition: meta.partition,
        });
      } finally {
        clearTimeout(timer);
      }
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });

  it('up a second time is harmless: same pid, exit 0', async () => {
    const r = await run(['up', 'kafka']);
    expectOk(r);
    expect(r.stdout).toContain(`already running (pid ${brokerPid})`);
    expect(readPid()).toBe(brokerPid);
    expect(processAlive(startedPid())).toBe(true);
  });

  it('status reports the instance as running', async () => {
    const r = await run(['status']);
    expectOk(r);
    expect(r.stdout).toMatch(
      new RegExp(`kafka\\[${INSTANCE}\\]:\\s+running\\s+pid ${brokerPid}\\s+127\\.0\\.0\\.1:${PORT}`),
    );
  });

  it('refuses to start when the port is taken by something it did not start', async () => {
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const busyPort = (server.address() as net.AddressInfo).port;
    try {
      const r = await run(['up', 'kafka'], {
        ...baseEnv,
        KAFKA_INSTANCE: 'kafka-infra-conflict',
        KAFKA_PORT: String(busyPort),
        KAFKA_CONTROLLER_PORT: String(await freePort()),
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`port 127.0.0.1:${busyPort} is already in use`);
      expect(fs.existsSync(path.join(stateDir, 'kafka-infra-conflict', 'kafka.pid'))).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('down stops it: port closed, process gone, pidfile removed', async () => {
    const r = await run(['down', 'kafka']);
    expectOk(r);
    expect(r.stdout).toMatch(/stopped in [\d.]+s/);
    expect(processAlive(startedPid())).toBe(false);
    expect(await portOpen(PORT)).toBe(false);
    expect(await portOpen(CONTROLLER_PORT)).toBe(false);
    expect(fs.existsSync(pidfile)).toBe(false);
  });

  it('down again is harmless', async () => {
    const r = await run(['down', 'kafka']);
    expectOk(r);
    expect(r.stdout).toContain('not running');
    const s = await run(['status']);
    expect(s.stdout).toMatch(new RegExp(`kafka\\[${INSTANCE}\\]:\\s+stopped`));
  });
});
