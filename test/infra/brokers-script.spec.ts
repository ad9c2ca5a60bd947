// System test for the `elasticmq` and `pubsub` components of scripts/infra.sh, against the
// REAL servers (ElasticMQ from Maven Central; the Google Pub/Sub emulator run by gcloud).
//
// Each component runs as a second, independent instance on non-default ports with its own
// state dir under the OS temp dir (shared jar cache), so it never touches a default
// instance (9324 / 8085) that other work may use, and is always stopped in afterAll.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { PubSub, v1 } from '@google-cloud/pubsub';
import { expectOk, REPO_ROOT, runInfra } from './support/infra-script';

// The first run may download ElasticMQ's jars from Maven Central.
jest.setTimeout(180_000);

// No GCE metadata server here; keeps google-auth-library from probing for one.
process.env.METADATA_SERVER_DETECTION ??= 'none';

const run = runInfra;

function makeEnv(stateDir: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${path.join(REPO_ROOT, 'node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    CARAVAN_STATE_DIR: stateDir,
    CARAVAN_CACHE_DIR: process.env.CARAVAN_CACHE_DIR ?? path.join(REPO_ROOT, '.cache'),
    ...extra,
  };
}

function readPid(pidfile: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidfile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

interface ProcInfo {
  pid: number;
  pgrp: number;
  cmdline: string;
}

// Every live (non-zombie) process on the machine, with its process group and command line.
function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command: state ppid pgrp ...
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z' || rest[0] === 'X') continue;
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      out.push({ pid: Number(entry), pgrp: Number(rest[2]), cmdline });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function processAlive(pid: number): boolean {
  return processes().some((p) => p.pid === pid);
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

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const uniq = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

describe('scripts/infra.sh elasticmq (real ElasticMQ, separate instance)', () => {
  const INSTANCE = 'elasticmq-infra-test';
  const PORT = 19324;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caravan-elasticmq-test-'));
  const instanceDir = path.join(stateDir, INSTANCE);
  const pidfile = path.join(instanceDir, 'elasticmq.pid');
  const env = makeEnv(stateDir, {
    ELASTICMQ_INSTANCE: INSTANCE,
    ELASTICMQ_PORT: String(PORT),
  });
  // Anything of this instance's has the state dir on its command line.
  const leftovers = () => processes().filter((p) => p.cmdline.includes(instanceDir));
  let serverPid: number | undefined;
  const startedPid = (): number => {
    if (serverPid === undefined) throw new Error('the server was not started by the first test');
    return serverPid;
  };

  const sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${PORT}`,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

  beforeAll(async () => {
    // A previous aborted run may have left this instance's port busy.
    expect(await portOpen(PORT)).toBe(false);
  });

  afterAll(async () => {
    sqs.destroy();
    await run(['down', 'elasticmq'], env);
    // Belt and braces: never leave a stray server behind.
    killAll(leftovers().map((p) => p.pid));
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('up starts ElasticMQ in the background and waits for the SQS API', async () => {
    const r = await run(['up', 'elasticmq'], env);
    expectOk(r);
    expect(r.stdout).toMatch(
      /elasticmq\[elasticmq-infra-test\]: starting \S+ on 127\.0\.0\.1:19324 .*ready in [\d.]+s .*SQS API ok/,
    );
    serverPid = readPid(pidfile);
    expect(serverPid).toBeDefined();
    expect(processAlive(startedPid())).toBe(true);
    expect(await portOpen(PORT)).toBe(true);
    const conf = fs.readFileSync(path.join(instanceDir, 'elasticmq.conf'), 'utf8');
    expect(conf).toContain(`bind-port = ${PORT}`);
    expect(conf).toContain('bind-hostname = "127.0.0.1"');
    expect(fs.existsSync(path.join(instanceDir, 'elasticmq.log'))).toBe(true);
  });

  it('an @aws-sdk/client-sqs client can create a queue, send, receive and delete', async () => {
    const name = `caravan-infra-test-${uniq()}`;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    // node-address: queue URLs point at the instance itself.
    expect(QueueUrl).toBe(`http://127.0.0.1:${PORT}/000000000000/${name}`);
    try {
      const body = JSON.stringify({ hello: uniq() });
      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: body,
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: 'infra-test' },
          },
        }),
      );
      expect(sent.MessageId).toBeTruthy();

      const got = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 5,
          MessageAttributeNames: ['All'],
        }),
      );
      expect(got.Messages).toHaveLength(1);
      const [msg] = got.Messages ?? [];
      expect(msg.Body).toBe(body);
      expect(msg.MessageId).toBe(sent.MessageId);
      expect(msg.MessageAttributes?.kind?.StringValue).toBe('infra-test');

      await sqs.send(
        new DeleteMessageCommand({
          QueueUrl,
          ReceiptHandle: msg.ReceiptHandle,
        }),
      );
      // A bogus receipt handle is refused (the real server validates them).
      await expect(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'bogus' }))).rejects.toThrow();
      const after = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 0,
        }),
      );
      expect(after.Messages ?? []).toHaveLength(0);
    } finally {
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    }
  });

  it('up a second time is harmless: same pid, exit 0', async () => {
    const r = await run(['up', 'elasticmq'], env);
    expectOk(r);
    expect(r.stdout).toContain(`already running (pid ${serverPid})`);
    expect(readPid(pidfile)).toBe(serverPid);
    expect(processAlive(startedPid())).toBe(true);
  });

  it('status reports the instance as running', async () => {
    const r = await run(['status', 'elasticmq'], env);
    expectOk(r);
    expect(r.stdout).toMatch(
      new RegExp(`elasticmq\\[${INSTANCE}\\]:\\s+running\\s+pid ${serverPid}\\s+127\\.0\\.0\\.1:${PORT}`),
    );
  });

  it('down stops it: port closed, no process left, pidfile removed', async () => {
    const r = await run(['down', 'elasticmq'], env);
    expectOk(r);
    expect(r.stdout).toMatch(/stopped in [\d.]+s/);
    expect(processAlive(startedPid())).toBe(false);
    expect(await portOpen(PORT)).toBe(false);
    expect(fs.existsSync(pidfile)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('down again is harmless', async () => {
    const r = await run(['down', 'elasticmq'], env);
    expectOk(r);
    expect(r.stdout).toContain('not running');
    const s = await run(['status', 'elasticmq'], env);
    expect(s.stdout).toMatch(new RegExp(`elasticmq\\[${INSTANCE}\\]:\\s+stopped`));
  });
});

describe('scripts/infra.sh pubsub (real Pub/Sub emulator, separate instance)', () => {
  const INSTANCE = 'pubsub-infra-test';
  const PORT = 18185;
  const PROJECT = 'caravan-local';
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caravan-pubsub-test-'));
  const instanceDir = path.join(stateDir, INSTANCE);
  const pidfile = path.join(instanceDir, 'pubsub.pid');
  const env = makeEnv(stateDir, {
    PUBSUB_INSTANCE: INSTANCE,
    PUBSUB_PORT: String(PORT),
  });
  // gcloud has the state dir on its command line, the emulator's JVM only its port.
  const leftovers = () =>
    processes().filter(
      (p) => p.cmdline.includes(instanceDir) || (p.cmdline.includes('pubsub') && p.cmdline.includes(`--port=${PORT}`)),
    );
  let leaderPid: number | undefined;
  let groupPids: number[] = [];
  const startedPid = (): number => {
    if (leaderPid === undefined) throw new Error('the emulator was not started by the first test');
    return leaderPid;
  };

  const pubsub = new PubSub({
    projectId: PROJECT,
    apiEndpoint: `127.0.0.1:${PORT}`,
    emulatorMode: true,
  });

  beforeAll(async () => {
    expect(await portOpen(PORT)).toBe(false);
  });

  afterAll(async () => {
    await pubsub.close().catch(() => undefined);
    await run(['down', 'pubsub'], env);
    killAll([...groupPids, ...leftovers().map((p) => p.pid)]);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('up starts gcloud and the emulator JVM in one process group and waits for the API', async () => {
    const r = await run(['up', 'pubsub'], env);
    expectOk(r);
    expect(r.stdout).toMatch(
      /pubsub\[pubsub-infra-test\]: starting the emulator on 127\.0\.0\.1:18185 .*ready in [\d.]+s .*Pub\/Sub API ok, project caravan-local/,
    );
    leaderPid = readPid(pidfile);
    expect(leaderPid).toBeDefined();
    const group = processes().filter((p) => p.pgrp === startedPid());
    groupPids = group.map((p) => p.pid);
    // gcloud (the leader) and the emulator's JVM, a child it does not stop by itself.
    expect(group.find((p) => p.pid === leaderPid)?.cmdline).toContain(`--host-port=127.0.0.1:${PORT}`);
    expect(group.some((p) => /\bjava\b/.test(p.cmdline) && p.cmdline.includes(`--port=${PORT}`))).toBe(true);
    expect(await portOpen(PORT)).toBe(true);
    expect(fs.existsSync(path.join(instanceDir, 'pubsub.log'))).toBe(true);
  });

  it('a @google-cloud/pubsub client can create a topic and subscription, publish, pull and ack', async () => {
    const id = uniq();
    const [topic] = await pubsub.createTopic(`caravan-infra-test-${id}`);
    const [subscription] = await topic.createSubscription(`caravan-infra-test-${id}-sub`, { ackDeadlineSeconds: 10 });
    const subscriber = new v1.SubscriberClient(pubsub.options as ConstructorParameters<typeof v1.SubscriberClient>[0]);
    try {
      const data = JSON.stringify({ hello: id });
      const messageId = await topic.publishMessage({
        data: Buffer.from(data),
        attributes: { kind: 'infra-test' },
      });
      expect(messageId).toBeTruthy();

      // Synchronous pull with the generated client the library wraps.
      const deadline = Date.now() + 30_000;
      let received: { ackId?: string | null; message?: unknown }[] = [];
      while (received.length === 0 && Date.now() < deadline) {
        const [res] = await subscriber.pull({
          subscription: subscription.name,
          maxMessages: 10,
        });
        received = res.receivedMessages ?? [];
      }
      expect(received).toHaveLength(1);
      const msg = received[0].message as {
        messageId: string;
        data: Buffer | Uint8Array;
        attributes: Record<string, string>;
      };
      expect(msg.messageId).toBe(messageId);
      expect(Buffer.from(msg.data).toString()).toBe(data);
      expect(msg.attributes).toEqual({ kind: 'infra-test' });

      await subscriber.acknowledge({
        subscription: subscription.name,
        ackIds: [received[0].ackId as string],
      });
      // Acked: after the ack deadline it is not delivered again.
      await new Promise((r) => setTimeout(r, 11_000));
      const [again] = await subscriber.pull({
        subscription: subscription.name,
        maxMessages: 10,
        returnImmediately: true,
      });
      expect(again.receivedMessages ?? []).toHaveLength(0);
    } finally {
      await subscriber.close();
      await subscription.delete();
      await topic.delete();
    }
  });

  it('up a second time is harmless: same pid, exit 0', async () => {
    const r = await run(['up', 'pubsub'], env);
    expectOk(r);
    expect(r.stdout).toContain(`already running (pid ${leaderPid})`);
    expect(readPid(pidfile)).toBe(leaderPid);
    expect(processAlive(startedPid())).toBe(true);
  });

  it('status reports the instance as running', async () => {
    const r = await run(['status', 'pubsub'], env);
    expectOk(r);
    expect(r.stdout).toMatch(
      new RegExp(`pubsub\\[${INSTANCE}\\]:\\s+running\\s+pid ${leaderPid}\\s+127\\.0\\.0\\.1:${PORT}`),
    );
  });

  it('down stops the whole process group: port closed, no gcloud or JVM left', async () => {
    const r = await run(['down', 'pubsub'], env);
    expectOk(r);
    expect(r.stdout).toMatch(/stopped in [\d.]+s/);
    expect(await portOpen(PORT)).toBe(false);
    expect(fs.existsSync(pidfile)).toBe(false);
    expect(processes().filter((p) => groupPids.includes(p.pid))).toEqual([]);
    expect(processes().filter((p) => p.pgrp === startedPid())).toEqual([]);
    expect(leftovers()).toEqual([]);
  });

  it('down again is harmless', async () => {
    const r = await run(['down', 'pubsub'], env);
    expectOk(r);
    expect(r.stdout).toContain('not running');
    const s = await run(['status', 'pubsub'], env);
    expect(s.stdout).toMatch(new RegExp(`pubsub\\[${INSTANCE}\\]:\\s+stopped`));
  });

  it('when gcloud dies and leaves its JVM, status says so and down still stops the JVM', async () => {
    expectOk(await run(['up', 'pubsub'], env));
    const leader = readPid(pidfile);
    expect(leader).toBeDefined();
    groupPids = processes()
      .filter((p) => p.pgrp === leader)
      .map((p) => p.pid);
    process.kill(leader as number, 'SIGTERM'); // gcloud alone: its JVM is orphaned
    const until = Date.now() + 10_000;
    while (processAlive(leader as number) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(processAlive(leader as number)).toBe(false);
    expect(leftovers().length).toBeGreaterThan(0); // the JVM

    const s = await run(['status', 'pubsub'], env);
    expect(s.stdout).toMatch(new RegExp(`pubsub\\[${INSTANCE}\\]:\\s+broken`));

    const r = await run(['down', 'pubsub'], env);
    expectOk(r);
    expect(r.stdout).toMatch(/stopped in [\d.]+s/);
    expect(leftovers()).toEqual([]);
    expect(await portOpen(PORT)).toBe(false);
  });
});
