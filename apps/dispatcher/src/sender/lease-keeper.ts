/** A renewal that failed is retried this soon (not a third of the lease later). */
export const RENEW_RETRY_MS = 250;

/** A claim as the store sees it: the row and the lease that fences its writes. */
export interface HeldLease {
  id: string;
  leaseUntil: Date;
}

/** Where leases are renewed (the deliveries table). */
export interface LeaseStore {
  /** Extends the leases still held (fenced by `leaseUntil`); returns the renewed rows with their new lease. */
  renewLeases(rows: readonly HeldLease[], leaseSeconds: number): Promise<HeldLease[]>;
}

/**
 * The leases this process holds on claimed deliveries. A lease is short and renewed (every
 * third of it) while the process lives, so a process that dies parks its rows for seconds
 * only. The lease is also the fencing token of the claim's writes, and renewing changes it:
 * writes read the current token inside `fenced`, which never overlaps a renewal.
 */
export class LeaseKeeper {
  private readonly leases = new Map<string, Date>();
  private writers = 0;
  private idle: Array<() => void> = [];
  private renewing?: Promise<void>;
  private timer?: ReturnType<typeof setTimeout>;
  private running = false;

  constructor(
    private readonly store: LeaseStore,
    private readonly leaseSeconds: number,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  /** Claimed rows held right now. */
  get size(): number {
    return this.leases.size;
  }

  hold(id: string, leaseUntil: Date): void {
    this.leases.set(id, leaseUntil);
  }

  release(id: string): void {
    this.leases.delete(id);
  }

  /** The current fencing token of a held row (undefined once released). */
  leaseOf(id: string): Date | undefined {
    return this.leases.get(id);
  }

  held(): HeldLease[] {
    return [...this.leases].map(([id, leaseUntil]) => ({ id, leaseUntil }));
  }

  /**
   * Renews every third of the lease until `stop`. A renewal that fails (Postgres restarting) is
   * retried every RENEW_RETRY_MS, so the leases are renewed as soon as Postgres is back: the
   * rows' attempts are made and their outcomes on the way, and a lease that lapsed meanwhile
   * would have them handed to a sender again (a duplicate send). See RELEASE_MARGIN in lease.sql.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule((this.leaseSeconds * 1000) / 3);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.renew().then(
        () => this.schedule((this.leaseSeconds * 1000) / 3),
        (error: Error) => {
          this.onError(error);
          this.schedule(Math.min(RENEW_RETRY_MS, (this.leaseSeconds * 1000) / 3));
        },
      );
    }, ms);
    this.timer.unref?.();
  }

  /**
   * Runs a fenced write with the tokens stable: waits for a renewal in progress, and a renewal
   * waits for the writes in progress (writes run concurrently with each other).
   */
  async fenced<R>(write: () => Promise<R>): Promise<R> {
    while (this.renewing) await this.renewing;
    this.writers++;
    try {
      return await write();
    } finally {
      this.writers--;
      if (this.writers === 0) for (const wake of this.idle.splice(0)) wake();
    }
  }

  /** Extends every held lease; a row whose lease was lost keeps its old token (its write is then fenced out). */
  renew(): Promise<void> {
    this.renewing ??= (async () => {
      while (this.writers > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
      const held = this.held();
      if (held.length === 0) return;
      for (const row of await this.store.renewLeases(held, this.leaseSeconds)) {
        if (this.leases.has(row.id)) this.leases.set(row.id, row.leaseUntil);
      }
    })().finally(() => (this.renewing = undefined));
    return this.renewing;
  }
}

/** How many of `wanted` deliveries to claim now: no more than a statement takes, nor than the free send slots. */
export function claimSize(wanted: number, batchSize: number, maxInFlight: number, inFlight: number): number {
  return Math.max(0, Math.min(wanted, batchSize, maxInFlight - inFlight));
}
