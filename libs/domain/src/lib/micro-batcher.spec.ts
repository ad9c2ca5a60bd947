import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('sends items that arrive together as one batch and gives each caller its own result', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        return items.map((item) => item * 10);
      },
      { lingerMs: 5, maxBatch: 100 },
    );
    const results = await Promise.all([1, 2, 3].map((item) => batcher.submit(item)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('sends at once when a batch is full, and the rest after the linger', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        return items;
      },
      { lingerMs: 20, maxBatch: 2 },
    );
    await Promise.all([1, 2, 3].map((item) => batcher.submit(item)));
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it('rejects every caller of a failed batch, and later batches still work', async () => {
    let fail = true;
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        if (fail) throw new Error('database down');
        return items;
      },
      { lingerMs: 1, maxBatch: 10 },
    );
    const failed = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(failed.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(batcher.submit(3)).resolves.toBe(3);
  });

  it('rejects only the caller whose result is an Error', async () => {
    const batcher = new MicroBatcher<number, number>(
      async (items) => items.map((item) => (item === 2 ? new Error('row 2 refused') : item)),
      { lingerMs: 1, maxBatch: 10 },
    );
    const outcomes = await Promise.allSettled([1, 2, 3].map((item) => batcher.submit(item)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe('row 2 refused');
  });

  it('refuses a batch function that loses results', async () => {
    const batcher = new MicroBatcher<number, number>(async () => [], {
      lingerMs: 1,
      maxBatch: 10,
    });
    await expect(batcher.submit(1)).rejects.toThrow('batch returned 0 results for 1 items');
  });

  it('flush sends immediately and waits for batches in flight', async () => {
    const seen: number[] = [];
    let release: () => void = () => undefined;
    const sending = new Promise<void>((resolve) => (release = resolve));
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        await sending;
        seen.push(...items);
        return items;
      },
      { lingerMs: 10_000, maxBatch: 100 },
    );
    const pending = batcher.submit(7);
    let flushed = false;
    const flushing = batcher.flush().then(() => (flushed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    release();
    await flushing;
    expect(seen).toEqual([7]);
    await expect(pending).resolves.toBe(7);
  });
});
