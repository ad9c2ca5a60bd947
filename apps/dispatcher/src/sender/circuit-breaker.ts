import { CircuitBreakerState } from '@caravan/domain';

/** Convoy's circuit-breaker parameters (see the CARAVAN_BREAKER_* variables). */
export interface CircuitBreakerParameters {
  /** Sliding window over which the failure rate is measured. */
  sampleMs: number;
  /** Failure percentage (of at least minimumRequests) that opens the breaker. */
  failureThresholdPercent: number;
  minimumRequests: number;
  /** How long it stays open before a half-open probe. */
  errorTimeoutMs: number;
}

export type BreakerPermit = { allowed: true } | { allowed: false; retryInMs: number };

/** What recording an outcome did: `tripped` when the breaker (re)opened just now. */
export interface BreakerRecord {
  tripped: boolean;
  /** The half-open probe succeeded just now: the breaker closed again. */
  recovered?: boolean;
  /** Opens without a successful probe in between (Convoy's consecutive failures). */
  consecutiveTrips: number;
}

/** While half-open with the probe in flight, others wait this long before asking again. */
const PROBE_WAIT_MS = 1_000;

/**
 * One endpoint's breaker. Closed: every request goes; when, over the last `sampleMs`, at
 * least `minimumRequests` were made and `failureThresholdPercent` of them failed, it opens.
 * Open: nothing goes for `errorTimeoutMs`; then half-open: exactly one probe goes. The
 * probe's success closes it (and resets the trip count), its failure re-opens it.
 */
export class CircuitBreaker {
  private current = CircuitBreakerState.Closed;
  /** The window's outcomes, oldest first; those before `head` have left the window. */
  private samples: Array<{ at: number; ok: boolean }> = [];
  private head = 0;
  /** Failures among the samples in the window, kept as they enter and leave it. */
  private failures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private probeStartedAt = 0;
  private trips = 0;

  constructor(private readonly parameters: CircuitBreakerParameters) {}

  state(now: number): CircuitBreakerState {
    if (this.current === CircuitBreakerState.Open && now >= this.openedAt + this.parameters.errorTimeoutMs) {
      return CircuitBreakerState.HalfOpen;
    }
    return this.current;
  }

  get consecutiveTrips(): number {
    return this.trips;
  }

  /** May a request go now? Half-open lets exactly one through until its outcome is recorded. */
  permit(now: number): BreakerPermit {
    const state = this.state(now);
    if (state === CircuitBreakerState.Closed) return { allowed: true };
    if (state === CircuitBreakerState.Open) {
      return {
        allowed: false,
        retryInMs: this.openedAt + this.parameters.errorTimeoutMs - now,
      };
    }
    // A probe whose outcome never came back (its sender died) stops blocking after a timeout.
    if (this.probeInFlight && now < this.probeStartedAt + this.parameters.errorTimeoutMs) {
      return { allowed: false, retryInMs: PROBE_WAIT_MS };
    }
    this.current = CircuitBreakerState.HalfOpen;
    this.probeInFlight = true;
    this.probeStartedAt = now;
    return { allowed: true };
  }

  /**
   * Closed, never tripped and with no sample inside the window: indistinguishable from a new
   * breaker, so it can be dropped and re-created on the endpoint's next attempt.
   */
  isIdle(now: number): boolean {
    if (this.current !== CircuitBreakerState.Closed || this.trips !== 0) return false;
    this.evictBefore(now);
    return this.head === this.samples.length;
  }

  /** Gives back a half-open probe slot that was granted but not used (the request never went). */
  release(): void {
    this.probeInFlight = false;
  }

  record(ok: boolean, now: number): BreakerRecord {
    if (this.current === CircuitBreakerState.HalfOpen) {
      this.probeInFlight = false;
      if (ok) {
        this.current = CircuitBreakerState.Closed;
        this.clearSamples();
        this.trips = 0;
        return { tripped: false, recovered: true, consecutiveTrips: 0 };
      }
      return this.open(now);
    }
    if (this.current === CircuitBreakerState.Open) {
      // A request let through before the breaker opened: it changes nothing.
      return { tripped: false, consecutiveTrips: this.trips };
    }
    this.samples.push({ at: now, ok });
    if (!ok) this.failures += 1;
    this.evictBefore(now);
    const count = this.samples.length - this.head;
    if (
      count >= this.parameters.minimumRequests &&
      this.failures * 100 >= this.parameters.failureThresholdPercent * count
    ) {
      return this.open(now);
    }
    return { tripped: false, consecutiveTrips: this.trips };
  }

  private open(now: number): BreakerRecord {
    this.current = CircuitBreakerState.Open;
    this.openedAt = now;
    this.clearSamples();
    this.trips += 1;
    return { tripped: true, consecutiveTrips: this.trips };
  }

  /**
   * Drops the samples that have left the window. Samples arrive in time order, so they leave
   * from the front: each is dropped once, instead of the whole window being re-filtered on
   * every outcome (an endpoint taking hundreds of deliveries a second holds thousands).
   */
  private evictBefore(now: number): void {
    const oldestKept = now - this.parameters.sampleMs;
    while (this.head < this.samples.length && this.samples[this.head].at <= oldestKept) {
      if (!this.samples[this.head].ok) this.failures -= 1;
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.samples.length) {
      this.samples = this.samples.slice(this.head);
      this.head = 0;
    }
  }

  private clearSamples(): void {
    this.samples = [];
    this.head = 0;
    this.failures = 0;
  }
}
