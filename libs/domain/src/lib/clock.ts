/**
 * Where a service reads the time and waits: the system's clock in production, a clock moved
 * by hand in unit tests (`ManualClock`), so a rule that depends on time is tested without
 * waiting for it.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds, or at once when `signal` is aborted (a loop's sleep must
   * not keep a stopping process alive until its timer fires).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The process's own clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const woken = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', woken);
        resolve();
      }, ms);
      signal?.addEventListener('abort', woken, { once: true });
    }),
};

/** The injection token services take their clock under (optional: `systemClock` when none is provided). */
export const CLOCK = 'caravan.clock';

/**
 * A clock that stands still until `advance` moves it; a `sleep` resolves once the clock has
 * been moved past its end. For unit tests.
 */
export class ManualClock implements Clock {
  private sleepers: Array<{ until: number; wake: () => void }> = [];
  private watchers: Array<() => void> = [];

  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    const slept = new Promise<void>((wake) => {
      const sleeper = { until: this.current + Math.max(0, ms), wake };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          wake();
        },
        { once: true },
      );
    });
    for (const watch of this.watchers.splice(0)) watch();
    return slept;
  }

  /** Resolves once at least `count` sleeps are pending (the code under test has started waiting). */
  async whenSleeping(count = 1): Promise<void> {
    while (this.sleepers.length < count) await new Promise<void>((resolve) => this.watchers.push(resolve));
  }

  /** Sleeps not yet over. */
  get sleeping(): number {
    return this.sleepers.length;
  }

  /** Moves the clock forward and wakes the sleeps that are over, letting their continuations run. */
  async advance(ms: number): Promise<void> {
    this.current += ms;
    const due = this.sleepers.filter((s) => s.until <= this.current);
    this.sleepers = this.sleepers.filter((s) => s.until > this.current);
    for (const sleeper of due) sleeper.wake();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
