import { claimSize, HeldLease, LeaseKeeper, LeaseStore, RENEW_RETRY_MS } from './lease-keeper';

/** A store that renews every row it is asked to, to `now + seconds` on a fake clock. */
class FakeStore implements LeaseStore {
  now = Date.parse('2026-01-01T00:00:00Z');
  calls: HeldLease[][] = [];
  gate?: Promise<void>;
  lost = new Set<string>();

  async renewLeases(rows: readonly HeldLease[], seconds: number): Promise<HeldLease[]> {
    this.calls.push([...rows]);
    await this.gate;
    return rows
      .filter((r) => !this.lost.has(r.id))
      .map((r) => ({ id: r.id, leaseUntil: new Date(this.now + seconds * 1000) }));
  }
}

describe('claimSize', () => {
  it('claims what is wanted when slots and the statement allow', () => {
    expect(claimSize(30, 500, 1000, 0)).toBe(30);
  });

  it('never claims more than the free send slots', () => {
    expect(claimSize(500, 500, 1000, 990)).toBe(10);
    expect(claimSize(500, 500, 1000, 1000)).toBe(0);
    expect(claimSize(500, 500, 1000, 1200)).toBe(0);
  });

  it('never claims more than one statement takes', () => {
    expect(claimSize(5000, 500, 10_000, 0)).toBe(500);
  });
});

describe('LeaseKeeper', () => {
  afterEach(() => jest.useRealTimers());

  it('renews every held lease and writes then carry the new token', async () => {
    const store = new FakeStore();
    const keeper = new LeaseKeeper(store, 9);
    keeper.hold('a', new Date(store.now));
    keeper.hold('b', new Date(store.now));
    store.now += 3_000;
    await keeper.renew();
    expect(store.calls[0]?.map((r) => r.id)).toEqual(['a', 'b']);
    expect(keeper.leaseOf('a')).toEqual(new Date(store.now + 9_000));
  });

  it('keeps the old token of a row whose lease was lost (its write is then fenced out)', async () => {
    const store = new FakeStore();
    const keeper = new LeaseKeeper(store, 9);
    const old = new Date(store.now);
    keeper.hold('lost', old);
    store.lost.add('lost');
    await keeper.renew();
    expect(keeper.leaseOf('lost')).toEqual(old);
  });

  it('does not call the store with nothing held, nor for released rows', async () => {
    const store = new FakeStore();
    const keeper = new LeaseKeeper(store, 9);
    await keeper.renew();
    keeper.hold('a', new Date(store.now));
    keeper.release('a');
    await keeper.renew();
    expect(store.calls).toEqual([]);
    expect(keeper.size).toBe(0);
  });

  it('renews every third of the lease on its timer until stopped', async () => {
    jest.useFakeTimers();
    const store = new FakeStore();
    const keeper = new LeaseKeeper(store, 9);
    keeper.hold('a', new Date(store.now));
    keeper.start();
    await jest.advanceTimersByTimeAsync(2_999);
    expect(store.calls).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(store.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(6_000);
    expect(store.calls).toHaveLength(3);
    keeper.stop();
    await jest.advanceTimersByTimeAsync(30_000);
    expect(store.calls).toHaveLength(3);
  });

  it('retries a failed renewal within RENEW_RETRY_MS, then goes back to every third of the lease', async () => {
    jest.useFakeTimers();
    const store = new FakeStore();
    let down = true;
    const failing: LeaseStore = {
      renewLeases: (rows, seconds) =>
        down ? Promise.reject(new Error('connect ECONNREFUSED')) : store.renewLeases(rows, seconds),
    };
    const errors: string[] = [];
    const keeper = new LeaseKeeper(failing, 9, (error) => errors.push(error.message));
    keeper.hold('a', new Date(store.now));
    keeper.start();
    await jest.advanceTimersByTimeAsync(3_000);
    expect(errors).toEqual(['connect ECONNREFUSED']);
    // Postgres is back: the lease is renewed within a retry, not 3 s later.
    down = false;
    await jest.advanceTimersByTimeAsync(RENEW_RETRY_MS);
    expect(store.calls).toHaveLength(1);
    expect(keeper.leaseOf('a')).toEqual(new Date(store.now + 9_000));
    await jest.advanceTimersByTimeAsync(2_999);
    expect(store.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(store.calls).toHaveLength(2);
    keeper.stop();
  });

  it('never lets a fenced write overlap a renewal', async () => {
    const store = new FakeStore();
    const keeper = new LeaseKeeper(store, 9);
    keeper.hold('a', new Date(store.now));
    let release!: () => void;
    store.gate = new Promise<void>((resolve) => (release = resolve));
    store.now += 1_000;
    const renewal = keeper.renew();
    const seen: Array<Date | undefined> = [];
    const write = keeper.fenced(async () => seen.push(keeper.leaseOf('a')));
    await Promise.resolve();
    expect(seen).toEqual([]);
    release();
    await Promise.all([renewal, write]);
    // The write ran after the renewal and read its new token.
    expect(seen).toEqual([new Date(store.now + 9_000)]);
  });

  it('makes a renewal wait for the writes in progress', async () => {
    const store = new FakeStore();
    const keeper = new LeaseKeeper(store, 9);
    keeper.hold('a', new Date(store.now));
    let finish!: () => void;
    const write = keeper.fenced(() => new Promise<void>((resolve) => (finish = resolve)));
    const renewal = keeper.renew();
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.calls).toHaveLength(0);
    finish();
    await Promise.all([write, renewal]);
    expect(store.calls).toHaveLength(1);
  });
});
