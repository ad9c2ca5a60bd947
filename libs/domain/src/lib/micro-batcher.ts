export interface MicroBatcherOptions {
  /** How long the first item of a batch waits for company, in milliseconds. */
  lingerMs: number;
  /** A batch is sent at once when it reaches this size. */
  maxBatch: number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: Error) => void;
}

/**
 * Groups work that arrives within a few milliseconds into one call of `flushBatch` (one SQL
 * statement, one Kafka request), and gives each caller its own item's result. The batch
 * function returns one result per item, in order; a result that is an Error rejects only its
 * own caller, and if the batch function throws, every caller of that batch gets the error.
 */
export class MicroBatcher<I, O> {
  private queue: Array<Waiting<I, O>> = [];
  private timer?: ReturnType<typeof setTimeout>;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly flushBatch: (items: I[]) => Promise<Array<O | Error>>,
    private readonly options: MicroBatcherOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.options.lingerMs);
    });
  }

  /** Sends what is queued now; resolves when every batch sent so far has settled. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length > 0) {
      const sending = this.send(batch).finally(() => this.inFlight.delete(sending));
      this.inFlight.add(sending);
    }
    return Promise.all(this.inFlight).then(() => undefined);
  }

  private async send(batch: Array<Waiting<I, O>>): Promise<void> {
    try {
      const results = await this.flushBatch(batch.map((waiting) => waiting.item));
      if (results.length !== batch.length) {
        throw new Error(`batch returned ${results.length} results for ${batch.length} items`);
      }
      batch.forEach((waiting, index) => {
        const result = results[index] as O | Error;
        if (result instanceof Error) waiting.reject(result);
        else waiting.resolve(result);
      });
    } catch (error) {
      batch.forEach((waiting) => waiting.reject(error as Error));
    }
  }
}
