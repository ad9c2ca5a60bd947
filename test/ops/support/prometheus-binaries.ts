import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './catalogue';

/**
 * Where Debian's prometheus and promtool are: the directory scripts/test.sh exports (it installs
 * them when missing, see scripts/lib/prometheus.sh), else .cache/prometheus, else the PATH.
 */
export function prometheusBinary(name: 'prometheus' | 'promtool'): string {
  const candidates = [
    process.env['CARAVAN_PROMETHEUS_BIN_DIR'],
    join(REPO_ROOT, '.cache', 'prometheus', 'usr', 'bin'),
  ].filter((dir): dir is string => Boolean(dir));
  for (const dir of candidates) if (existsSync(join(dir, name))) return join(dir, name);
  try {
    return execFileSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      `${name} not found: run ./scripts/test.sh (it installs Debian's prometheus package) or ` +
        'source scripts/lib/prometheus.sh && caravan_ensure_prometheus',
    );
  }
}
