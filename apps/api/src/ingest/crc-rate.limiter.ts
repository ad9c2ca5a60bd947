import { LRUCache } from 'lru-cache';

/** CRC answers per source per window, per api replica: Twitter sends one at registration and about hourly. */
export const CRC_CHALLENGES_PER_WINDOW = 5;
export const CRC_WINDOW_MS = 60_000;

/**
 * A fixed-window counter per source, bounded in memory (least recently seen sources are
 * forgotten first), so CRC answers cannot be harvested in bulk.
 */
export class CrcRateLimiter {
  private readonly windows = new LRUCache<string, { startedAt: number; count: number }>({ max: 10_000 });

  constructor(
    private readonly limit = CRC_CHALLENGES_PER_WINDOW,
    private readonly windowMs = CRC_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one challenge of `sourceId`; false when the source is over its limit in this window. */
  admit(sourceId: string): boolean {
    const now = this.now();
    const window = this.windows.get(sourceId);
    if (!window || now - window.startedAt >= this.windowMs) {
      this.windows.set(sourceId, { startedAt: now, count: 1 });
      return true;
    }
    window.count++;
    return window.count <= this.limit;
  }
}
