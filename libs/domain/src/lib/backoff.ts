export interface BackoffOptions {
  /** Delay after the first failure, in milliseconds. */
  initialMs: number;
  /** Ceiling of the delay, in milliseconds. */
  maxMs: number;
}

/** Exponential back-off: `initialMs` after the first failure, doubling each time, capped at `maxMs`. */
export function backoffDelay(failures: number, options: BackoffOptions): number {
  const exponent = Math.max(0, Math.min(failures, 64) - 1);
  return Math.min(options.maxMs, options.initialMs * 2 ** exponent);
}
