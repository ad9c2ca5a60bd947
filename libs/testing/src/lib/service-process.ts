import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..', '..');

export type ServiceName = 'api' | 'ingester' | 'dispatcher';

export interface ServiceProcess {
  readonly name: ServiceName;
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** The JSON log lines among it (CARAVAN_LOG_FORMAT=json), parsed. */
  logLines(): LogLine[];
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
  waitForReady(timeoutMs?: number): Promise<void>;
  /** Sends the signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Runs a service from its built bundle (dist/apps/<name>/main.js), exactly as production
 * does, with the given environment on top of the test process's own. A variable given as
 * `undefined` is removed, so a test can run a service with a setting truly absent.
 */
export function spawnService(name: ServiceName, port: number, env: Record<string, string | undefined>): ServiceProcess {
  const merged: NodeJS.ProcessEnv = {
    ...process.env,
    CARAVAN_HTTP_HOST: '127.0.0.1',
    CARAVAN_HTTP_PORT: String(port),
    CARAVAN_LOG_FORMAT: 'json',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...env,
  };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'dist', 'apps', name, 'main.js')], {
    cwd: WORKSPACE_ROOT,
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const url = `http://127.0.0.1:${port}`;

  const service: ServiceProcess = {
    name,
    port,
    url,
    child,
    exited,
    output: () => log,
    logLines: () => parseLogLines(log),
    async waitForReady(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let last = 'no answer';
      while (Date.now() < deadline) {
        if (child.exitCode !== null) {
          throw new Error(`${name} exited with ${child.exitCode} before ready:\n${log}`);
        }
        try {
          const response = await fetch(`${url}/readyz`);
          last = `${response.status} ${await response.text()}`;
          if (response.status === 200) return;
        } catch (error) {
          last = (error as Error).message;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      // The caller gets no handle to a service that never became ready, so nothing else would stop it.
      child.kill('SIGKILL');
      throw new Error(`${name} not ready within ${timeoutMs} ms (last: ${last}):\n${log}`);
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  return service;
}

/** One line of a service's JSON log (docs/operations.md#logs). */
export type LogLine = Record<string, unknown>;

/** The JSON lines of a service's output; other lines (a crash before the logger exists) are skipped. */
export function parseLogLines(output: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const text of output.split('\n')) {
    if (!text.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(text) as LogLine);
    } catch {
      // A line cut where the output was read; the next read has it whole.
    }
  }
  return lines;
}

/**
 * Whether a log line has these fields: equal values, or for a RegExp a match against the
 * value (objects, such as `err`, are matched as their JSON).
 */
export function logLineMatches(line: LogLine, fields: Record<string, unknown>): boolean {
  return Object.entries(fields).every(([key, expected]) => {
    const actual = line[key];
    if (expected instanceof RegExp) {
      return actual !== undefined && expected.test(typeof actual === 'string' ? actual : JSON.stringify(actual));
    }
    return actual === expected;
  });
}

/** Polls `probe` until it returns true or the time runs out; returns the last value seen. */
export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 30_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await probe();
  }
  return value;
}
