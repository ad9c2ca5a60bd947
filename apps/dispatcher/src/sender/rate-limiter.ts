/**
 * Per-key sliding-window rate limiter (a log of the last `limit` send times): at most
 * `limit` sends in ANY window of `windowMs`, never a burst of 2×limit at a window edge.
 * In memory: `caravan.deliveries` is keyed by endpoint, so one instance owns an endpoint.
 */
export class RateLimiter {
  private readonly sent = new Map<string, { windowMs: number; log: number[] }>();

  /**
   * Takes a slot for `key` at `now` and answers 0, or answers how many ms until a slot
   * frees up (taking nothing). A `limit` of 0 means unlimited.
   */
  take(key: string, limit: number, windowMs: number, now: number): number {
    if (limit <= 0) return 0;
    const log = (this.sent.get(key)?.log ?? []).filter((at) => at > now - windowMs);
    if (log.length >= limit) {
      this.sent.set(key, { windowMs, log });
      const oldest = log[log.length - limit] ?? now;
      return Math.max(1, oldest + windowMs - now);
    }
    log.push(now);
    this.sent.set(key, { windowMs, log });
    return 0;
  }

  /** Forgets keys with no send inside their window: they would start from an empty log anyway. */
  evictIdle(now: number): void {
    for (const [key, { windowMs, log }] of this.sent) {
      if ((log[log.length - 1] ?? 0) <= now - windowMs) this.sent.delete(key);
    }
  }

  /** Keys currently tracked. */
  get size(): number {
    return this.sent.size;
  }
}
