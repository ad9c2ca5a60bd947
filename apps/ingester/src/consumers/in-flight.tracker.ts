import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The messages a push-style consumer (AMQP, Pub/Sub) is still working on, so shutdown can
 * wait for them, within a bound, before it disconnects.
 */
export class InFlightTracker {
  private readonly pending = new Set<Promise<void>>();

  get size(): number {
    return this.pending.size;
  }

  track(work: Promise<void>): void {
    const tracked = work.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Resolves true when all finished, false when the time ran out first. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.pending.size === 0) return true;
    const finished = Promise.allSettled([...this.pending]).then(() => true);
    const timeout = new AbortController();
    const result = await Promise.race([
      finished,
      sleep(timeoutMs, false, { signal: timeout.signal }).catch(() => false),
    ]);
    timeout.abort();
    return result;
  }
}
