import { ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, eventually, TestDatabase, WORKSPACE_ROOT } from '@caravan/testing';
import { freePort } from '../dispatcher/support/dispatcher-harness';

/**
 * The first five minutes: `scripts/up.sh` (on its own database, topics, ports and state
 * directory) brings everything up in local mode with the demo receiver, and every command of
 * the walk-through it prints is run exactly as printed, in one bash session, in order. A
 * command that shows a state still in progress is run again until the state is reached, as
 * its printed comment tells a reader to. The README's quick start is the same walk-through.
 */

/** One bash process: each command runs in it (variables and functions carry over) like a pasted line. */
class BashSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private stdout = '';
  private stderr = '';
  private sequence = 0;

  constructor(cwd: string) {
    this.child = spawn('bash', ['--noprofile', '--norc'], { cwd, env: { PATH: process.env['PATH'] ?? '' } });
    this.child.stdout.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  async run(command: string, timeoutMs = 60_000): Promise<{ output: string; errors: string; status: number }> {
    const marker = `__walk_through_${++this.sequence}__`;
    const start = this.stdout.length;
    const errorStart = this.stderr.length;
    this.child.stdin.write(`${command}\nprintf '\\n${marker} %s\\n' "$?"\n`);
    const done = await eventually(
      async () => this.stdout.indexOf(marker, start),
      (index) => index >= 0,
      timeoutMs,
      50,
    );
    if (done < 0) throw new Error(`timed out running: ${command}\n${this.stdout.slice(start)}`);
    const status = Number(/^ (\d+)/.exec(this.stdout.slice(done + marker.length))?.[1] ?? -1);
    return {
      output: this.stdout.slice(start, done).trim(),
      errors: this.stderr.slice(errorStart),
      status,
    };
  }

  /** Runs the same command until `accept` says its output shows the awaited state. */
  async runUntil(command: string, accept: (output: string) => boolean, timeoutMs = 90_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = await this.run(command);
    while (!(last.status === 0 && accept(last.output)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      last = await this.run(command);
    }
    expect(last.errors).toBe('');
    return last.output;
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}

const jsonLines = (output: string): Record<string, unknown>[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('scripts/up.sh and its printed walk-through', () => {
  jest.setTimeout(900_000);
  const suffix = `${Date.now().toString(36)}.${process.pid}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'caravan-up-'));
  let database: TestDatabase;
  let output = '';
  let commands: string[] = [];
  let printed: string[] = [];
  const ports: Record<string, number> = {};

  const upEnv = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CARAVAN_STATE_DIR: stateDir,
      CARAVAN_DATABASE_URL: database.url,
      CARAVAN_API_PORT: String(ports['api']),
      CARAVAN_INGESTER_PORT: String(ports['ingester']),
      CARAVAN_DISPATCHER_PORT: String(ports['dispatcher']),
      CARAVAN_DEMO_RECEIVER_PORT: String(ports['receiver']),
      CARAVAN_KAFKA_EVENTS_TOPIC: `up.events.${suffix}`,
      CARAVAN_KAFKA_DELIVERIES_TOPIC: `up.deliveries.${suffix}`,
      CARAVAN_KAFKA_PARTITIONS: '3',
    };
    // up.sh's own default is what is under test.
    delete env['CARAVAN_SSRF_ALLOW_CIDRS'];
    delete env['CARAVAN_ADMIN_API_KEY'];
    return env;
  };

  beforeAll(async () => {
    database = await createTestDatabase({ poolSize: 1 });
    for (const name of ['api', 'ingester', 'dispatcher', 'receiver']) ports[name] = await freePort();
    const up = spawnSync('bash', [join(WORKSPACE_ROOT, 'scripts', 'up.sh')], {
      cwd: WORKSPACE_ROOT,
      env: upEnv(),
      encoding: 'utf8',
      timeout: 600_000,
    });
    output = up.stdout;
    if (up.status !== 0) throw new Error(`up.sh exited ${up.status}:\n${up.stdout}\n${up.stderr}`);
    const lines = output.split('\n');
    const start = lines.findIndex((line) => line.startsWith('Try it'));
    const end = lines.findIndex((line, index) => index > start && line.trim() === '');
    printed = lines.slice(start + 1, end);
    commands = printed.map((line) => line.replace(/^ {2}/, '')).filter((line) => !line.startsWith('#'));
  });

  afterAll(async () => {
    spawnSync(
      'bash',
      [
        '-c',
        'source scripts/lib/services.sh; for s in api ingester dispatcher demo-receiver; do service_stop $s; done',
      ],
      { cwd: WORKSPACE_ROOT, env: upEnv(), encoding: 'utf8' },
    );
    await database?.drop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('runs in local mode, saying so with the variable that controls it, and leaves a place for the dashboard', () => {
    expect(output).toMatch(
      /^local mode: the dispatcher may deliver to 127\.0\.0\.0\/8,::1\/128 \(CARAVAN_SSRF_ALLOW_CIDRS;.*\)$/m,
    );
    expect(output).toContain(`demo-receiver: listening on http://127.0.0.1:${ports['receiver']}`);
    expect(output).toMatch(/^Dashboard: .*http:\/\/127\.0\.0\.1:\d+\/\)?$/m);
  });

  it('prints a walk-through of plain commands and comments only', () => {
    expect(printed.every((line) => line.startsWith('  '))).toBe(true);
    expect(commands).toHaveLength(9);
  });

  it('delivers a signed event to the demo receiver, then retries one that fails twice, command by command', async () => {
    const bash = new BashSession(WORKSPACE_ROOT);
    try {
      const [
        setEnv,
        defineCaravan,
        createEndpoint,
        sendEvent,
        showDelivery,
        tailReceiver,
        createFlaky,
        sendRetried,
        showRetries,
      ] = commands as [string, string, string, string, string, string, string, string, string];
      for (const setup of [setEnv, defineCaravan])
        expect(await bash.run(setup)).toMatchObject({ status: 0, output: '' });

      const endpoint = await bash.run(createEndpoint);
      expect(endpoint.output).toMatch(/^endpoint: [0-9A-Z]{26}$/);
      const event = await bash.run(sendEvent);
      expect(event.output).toMatch(/^event: [0-9A-Z]{26}$/);
      const eventId = event.output.replace('event: ', '');

      const shown = await bash.runUntil(showDelivery, (out) => jsonLines(out)[0]?.['status'] === 'Success');
      const [delivery, ...attempts] = jsonLines(shown);
      expect(delivery).toMatchObject({ status: 'Success', attempts: 1 });
      expect(attempts).toEqual([expect.objectContaining({ http_status: '200 OK', error: '' })]);

      const received = await bash.runUntil(tailReceiver, (out) => out.includes(eventId));
      expect(received).toContain(`event: order.created  id: ${eventId}`);
      expect(received).toContain('signature: valid');
      expect(received).toContain('body: {"order":42,"total":"9.90"}');

      expect((await bash.run(createFlaky)).output).toMatch(/^endpoint: [0-9A-Z]{26}$/);
      expect((await bash.run(sendRetried)).output).toMatch(/^event: [0-9A-Z]{26}$/);
      const retried = await bash.runUntil(showRetries, (out) => jsonLines(out)[0]?.['status'] === 'Success');
      const [retriedDelivery, ...retries] = jsonLines(retried);
      expect(retriedDelivery).toMatchObject({ status: 'Success', attempts: 3 });
      expect(retries.map((attempt) => attempt['http_status'])).toEqual([
        '500 Internal Server Error',
        '500 Internal Server Error',
        '200 OK',
      ]);
    } finally {
      bash.close();
    }
  });

  it('is the quick start of the README, with placeholders for the values of one run and the default ports', () => {
    const readme = readFileSync(join(WORKSPACE_ROOT, 'README.md'), 'utf8');
    const block = /Try it: [^\n]*\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const demo = JSON.parse(readFileSync(join(stateDir, 'demo-project.json'), 'utf8')) as {
      projectId: string;
      apiKey: string;
    };
    const secret = readFileSync(join(stateDir, 'demo-receiver-secret'), 'utf8');
    const generic = printed
      .map((line) => line.replace(/^ {2}/, ''))
      .join('\n')
      .replaceAll(demo.projectId, '<project id>')
      .replaceAll(`http://127.0.0.1:${ports['api']}`, 'http://127.0.0.1:5005')
      .replaceAll(demo.apiKey, '<project key>')
      .replaceAll(secret, '<demo secret>')
      .replaceAll(`http://127.0.0.1:${ports['receiver']}`, 'http://127.0.0.1:5008')
      .replaceAll(join(stateDir, 'services'), '.run/services');
    expect(block?.trim()).toBe(generic.trim());
  });
});
