import { RateLimiter } from './rate-limiter';

function defined<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

describe('RateLimiter', () => {
  it('treats a limit of 0 as unlimited', () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < 100; i++) expect(limiter.take('e', 0, 1000, 0)).toBe(0);
  });

  it('allows N per window and says how long until the next slot', () => {
    const limiter = new RateLimiter();
    expect(limiter.take('e', 2, 1000, 0)).toBe(0);
    expect(limiter.take('e', 2, 1000, 100)).toBe(0);
    expect(limiter.take('e', 2, 1000, 200)).toBe(800);
    expect(limiter.take('e', 2, 1000, 1000)).toBe(0);
    expect(limiter.take('e', 2, 1000, 1050)).toBe(50);
  });

  it('never allows more than N in any sliding window (no burst at a window edge)', () => {
    const limiter = new RateLimiter();
    const sent: number[] = [];
    for (let now = 0; now < 5000; now += 7) {
      if (limiter.take('e', 3, 1000, now) === 0) sent.push(now);
    }
    for (let i = 0; i + 3 < sent.length; i++)
      expect(defined(sent[i + 3]) - defined(sent[i])).toBeGreaterThanOrEqual(1000);
    expect(sent.length).toBeGreaterThanOrEqual(15);
  });

  it('evicts keys with no send inside their window, and only those', () => {
    const limiter = new RateLimiter();
    limiter.take('quiet', 1, 1_000, 0);
    limiter.take('busy', 5, 10_000, 0);
    limiter.evictIdle(500);
    expect(limiter.size).toBe(2);
    limiter.evictIdle(1_000);
    expect(limiter.size).toBe(1);
    // The busy key kept its log: its limit still holds after the sweep.
    for (let i = 0; i < 4; i++) expect(limiter.take('busy', 5, 10_000, 1_000)).toBe(0);
    expect(limiter.take('busy', 5, 10_000, 1_000)).toBeGreaterThan(0);
    limiter.evictIdle(20_000);
    expect(limiter.size).toBe(0);
  });

  it('keeps endpoints apart', () => {
    const limiter = new RateLimiter();
    expect(limiter.take('a', 1, 1000, 0)).toBe(0);
    expect(limiter.take('b', 1, 1000, 0)).toBe(0);
    expect(limiter.take('a', 1, 1000, 1)).toBeGreaterThan(0);
  });
});
