import type { ProjectConfig } from './project-config';

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION = /^(\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;

/**
 * A Go duration string ("720h", "1h30m", "90s") in milliseconds, as Convoy's
 * `retention_policy` is written; null when the text is not one (or is not positive).
 */
export function parseGoDuration(text: string): number | null {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) total += Number(amount) * UNIT_MS[unit];
  return total > 0 ? total : null;
}

/**
 * The moment before which a project's events, deliveries, attempts and meta events are
 * deleted, or null when the project keeps everything: no `retention_policy`, or
 * `is_retention_policy_enabled` explicitly false (Convoy's switch).
 */
export function retentionCutoff(
  config: Pick<ProjectConfig, 'retention_policy' | 'is_retention_policy_enabled'>,
  now: Date,
): Date | null {
  if (config.is_retention_policy_enabled === false || !config.retention_policy) return null;
  const ms = parseGoDuration(config.retention_policy);
  return ms === null ? null : new Date(now.getTime() - ms);
}
