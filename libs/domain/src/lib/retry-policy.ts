import { RetryStrategyType } from './project-config';

/**
 * Retry back-off (docs/architecture.md#the-delivery-state-machine). Pure: the random source and the clock are passed in.
 *
 * Attempts are counted the Convoy way: `retry_count` is the number of attempts in all, the
 * first one included, so a delivery with `retry_count = 3` is sent at most 3 times and waits
 * at most twice. `attempt` below is the number of attempts already made (1 after the first).
 */

/** Ceiling for exponential back-off when the project sets none: one hour. */
export const DEFAULT_MAX_RETRY_SECONDS = 3600;

/**
 * Jitter for the exponential strategy: the delay is drawn uniformly from
 * [(1 − J)·d, d] where d = min(duration·2^(attempt−1), maxRetrySeconds).
 *
 * Why this "bounded, downward" jitter rather than the alternatives:
 * - Full jitter (uniform in [0, d]) can schedule a retry almost immediately, which defeats
 *   the back-off exactly when an endpoint is struggling, and makes the first retry's delay
 *   meaningless to operators.
 * - Upward jitter (d plus up to J·d) is either lost at the cap (every delivery that reached
 *   `maxRetrySeconds` wakes at the same instant: a thundering herd) or breaks the cap.
 * Drawing within [0.8·d, d] keeps the cap a hard ceiling, keeps ±20 % spread at every step
 * including at the cap, and never retries sooner than 80 % of the nominal delay.
 */
export const EXPONENTIAL_JITTER_FRACTION = 0.2;

export interface RetryDelayInput {
  strategy: RetryStrategyType;
  /** Linear: the constant delay. Exponential: the base delay. Seconds, ≥ 0. */
  duration: number;
  /** Attempts already made, ≥ 1 (1 = the first attempt just failed). */
  attempt: number;
  /** Ceiling for the exponential strategy, seconds, > 0. */
  maxRetrySeconds: number;
  /** Uniform in [0, 1), e.g. Math.random; injected so tests are deterministic. */
  random: () => number;
}

/**
 * Seconds to wait before the next attempt.
 * - linear: `duration`, always (Convoy's linear strategy: no jitter, no cap).
 * - exponential: `min(duration·2^(attempt−1), maxRetrySeconds)` with bounded jitter (see
 *   EXPONENTIAL_JITTER_FRACTION); never above `maxRetrySeconds`.
 * Throws RangeError on nonsensical input (a programming error, not a runtime condition).
 */
export function nextDelaySeconds(input: RetryDelayInput): number {
  const { strategy, duration, attempt, maxRetrySeconds } = input;
  if (!Number.isFinite(duration) || duration < 0) throw new RangeError(`duration must be ≥ 0, got ${duration}`);
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer ≥ 1, got ${attempt}`);
  if (strategy === RetryStrategyType.Linear) return duration;
  if (strategy !== RetryStrategyType.Exponential) throw new RangeError(`unknown retry strategy ${String(strategy)}`);
  if (!Number.isFinite(maxRetrySeconds) || maxRetrySeconds <= 0) {
    throw new RangeError(`maxRetrySeconds must be > 0, got ${maxRetrySeconds}`);
  }
  if (duration === 0) return 0;
  // 2^1023 is the largest finite power of two; beyond it the cap applies anyway.
  const nominal = Math.min(duration * 2 ** Math.min(attempt - 1, 1023), maxRetrySeconds);
  return nominal * (1 - EXPONENTIAL_JITTER_FRACTION * unitInterval(input.random()));
}

/** Clamps a random draw into [0, 1); NaN counts as 0. */
function unitInterval(value: number): number {
  if (!(value > 0)) return 0;
  return value >= 1 ? 1 - Number.EPSILON : value;
}

/** Statuses whose `Retry-After` is honoured. */
export const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * The delay a response's `Retry-After` asks for, in seconds from `now` (may be ≤ 0 for a
 * date in the past), or null when the header is absent or not one of the RFC 9110 forms:
 * delta-seconds, IMF-fixdate, obsolete RFC 850 date, asctime date.
 */
export function parseRetryAfter(header: string | readonly string[] | null | undefined, now: Date): number | null {
  const raw = typeof header === 'string' ? header : header?.[0];
  if (typeof raw !== 'string') return null;
  const value = raw.trim();
  if (/^\d{1,12}$/.test(value)) return Number(value);
  const date = parseHttpDate(value, now);
  return date === null ? null : (date - now.getTime()) / 1000;
}

/**
 * The delay to schedule after a failed attempt, given the back-off's `scheduledDelay`:
 * for a 429 or 503 with a well-formed `Retry-After`, the asked-for delay clamped to
 * [scheduledDelay, 2 × scheduledDelay] (a receiver can slow us down, within reason, but
 * never speed us up); otherwise, including for a garbage header, `scheduledDelay`.
 */
export function applyRetryAfter(
  scheduledDelay: number,
  retryAfterHeader: string | readonly string[] | null | undefined,
  now: Date,
  httpStatus: number | undefined,
): number {
  if (httpStatus === undefined || !RETRY_AFTER_STATUSES.has(httpStatus)) return scheduledDelay;
  const asked = parseRetryAfter(retryAfterHeader, now);
  if (asked === null) return scheduledDelay;
  return Math.min(Math.max(asked, scheduledDelay), 2 * scheduledDelay);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`,
);
const ASCTIME_DATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/** Epoch millis of an HTTP-date, or null. Calendar-invalid dates (Feb 30) are null. */
function parseHttpDate(value: string, now: Date): number | null {
  let m: RegExpExecArray | null;
  if ((m = IMF_FIXDATE.exec(value))) {
    return utc(Number(m[3]), m[2], Number(m[1]), m[4], m[5], m[6]);
  }
  if ((m = RFC850_DATE.exec(value))) {
    // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is in the past century.
    const nowYear = now.getUTCFullYear();
    let year = Math.floor(nowYear / 100) * 100 + Number(m[3]);
    if (year > nowYear + 50) year -= 100;
    return utc(year, m[2], Number(m[1]), m[4], m[5], m[6]);
  }
  if ((m = ASCTIME_DATE.exec(value))) {
    return utc(Number(m[6]), m[1], Number(m[2].trim()), m[3], m[4], m[5]);
  }
  return null;
}

function utc(
  year: number,
  monthName: string | undefined,
  day: number,
  hh: string | undefined,
  mm: string | undefined,
  ss: string | undefined,
): number | null {
  const month = MONTHS.indexOf(monthName ?? '');
  const [hours, minutes, seconds] = [Number(hh), Number(mm), Number(ss)];
  if (month < 0 || hours > 23 || minutes > 59 || seconds > 60) return null;
  const date = new Date(Date.UTC(year, month, day, hours, minutes, Math.min(seconds, 59)));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month || date.getUTCDate() !== day) return null;
  return date.getTime();
}
