import { execFile } from 'node:child_process';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const SCRIPT = path.join(REPO_ROOT, 'scripts/infra.sh');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs scripts/infra.sh with the given arguments and environment; never rejects. */
export function runInfra(args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile('bash', [SCRIPT, ...args], { env, timeout: 170_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Fails with the script's whole output, which says what went wrong and where the log is. */
export function expectOk(r: RunResult): void {
  if (r.code !== 0) {
    throw new Error(`infra.sh exited ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  }
}
