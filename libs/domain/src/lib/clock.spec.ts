import { ManualClock, systemClock } from './clock';

describe('ManualClock', () => {
  it('stands still until advanced', async () => {
    const clock = new ManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    await clock.advance(250);
    expect(clock.now()).toBe(1_250);
  });

  it('wakes a sleep only once the clock has passed its end', async () => {
    const clock = new ManualClock(0);
    let woke = false;
    const sleeping = clock.sleep(100).then(() => (woke = true));
    await clock.advance(99);
    expect(woke).toBe(false);
    expect(clock.sleeping).toBe(1);
    await clock.advance(1);
    await sleeping;
    expect(woke).toBe(true);
    expect(clock.sleeping).toBe(0);
  });

  it('tells when the code under test has started sleeping', async () => {
    const clock = new ManualClock(0);
    let seen = false;
    const watching = clock.whenSleeping().then(() => (seen = true));
    await clock.advance(0);
    expect(seen).toBe(false);
    void clock.sleep(10);
    await watching;
    expect(seen).toBe(true);
  });

  it('ends a sleep at once when its signal is aborted, before or during it', async () => {
    const clock = new ManualClock(0);
    const stop = new AbortController();
    const sleeping = clock.sleep(60_000, stop.signal);
    expect(clock.sleeping).toBe(1);
    stop.abort();
    await sleeping;
    expect(clock.sleeping).toBe(0);
    expect(clock.now()).toBe(0);
    await clock.sleep(60_000, stop.signal);
    expect(clock.sleeping).toBe(0);
  });
});

describe('systemClock', () => {
  it('reads the system time', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('ends a long sleep at once when its signal is aborted', async () => {
    const stop = new AbortController();
    const sleeping = systemClock.sleep(3_600_000, stop.signal).then(() => 'woke');
    stop.abort();
    await expect(sleeping).resolves.toBe('woke');
  });
});
