import { CircuitBreakerState } from '@caravan/domain';
import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  const parameters = {
    sampleMs: 10_000,
    failureThresholdPercent: 50,
    minimumRequests: 4,
    errorTimeoutMs: 5_000,
  };

  function failTimes(breaker: CircuitBreaker, count: number, at: number) {
    return Array.from({ length: count }, () => breaker.record(false, at));
  }

  it('stays closed below the minimum number of requests, whatever the failure rate', () => {
    const breaker = new CircuitBreaker(parameters);
    failTimes(breaker, 3, 0);
    expect(breaker.state(0)).toBe(CircuitBreakerState.Closed);
    expect(breaker.permit(0)).toEqual({ allowed: true });
  });

  it('opens when the failure rate over the window reaches the threshold', () => {
    const breaker = new CircuitBreaker(parameters);
    breaker.record(true, 0);
    breaker.record(true, 0);
    breaker.record(false, 0);
    const record = breaker.record(false, 0);
    expect(record).toEqual({ tripped: true, consecutiveTrips: 1 });
    expect(breaker.state(1)).toBe(CircuitBreakerState.Open);
    expect(breaker.permit(1_000)).toEqual({ allowed: false, retryInMs: 4_000 });
  });

  it('forgets samples older than the window', () => {
    const breaker = new CircuitBreaker(parameters);
    failTimes(breaker, 3, 0);
    expect(breaker.record(false, 20_000).tripped).toBe(false);
    expect(breaker.state(20_000)).toBe(CircuitBreakerState.Closed);
  });

  it('lets exactly one probe through when half-open; its success closes and resets the trips', () => {
    const breaker = new CircuitBreaker(parameters);
    failTimes(breaker, 4, 0);
    expect(breaker.state(5_000)).toBe(CircuitBreakerState.HalfOpen);
    expect(breaker.permit(5_000)).toEqual({ allowed: true });
    expect(breaker.permit(5_001).allowed).toBe(false);
    expect(breaker.record(true, 5_100)).toEqual({
      tripped: false,
      recovered: true,
      consecutiveTrips: 0,
    });
    expect(breaker.state(5_100)).toBe(CircuitBreakerState.Closed);
    expect(breaker.permit(5_100)).toEqual({ allowed: true });
  });

  it('re-opens on a failed probe and counts consecutive trips', () => {
    const breaker = new CircuitBreaker(parameters);
    failTimes(breaker, 4, 0);
    breaker.permit(5_000);
    expect(breaker.record(false, 5_000)).toEqual({
      tripped: true,
      consecutiveTrips: 2,
    });
    expect(breaker.permit(6_000).allowed).toBe(false);
    breaker.permit(10_000);
    expect(breaker.record(false, 10_000).consecutiveTrips).toBe(3);
  });

  it('gives the probe slot back when the probe was not sent, and frees a probe that never reported', () => {
    const breaker = new CircuitBreaker(parameters);
    failTimes(breaker, 4, 0);
    expect(breaker.permit(5_000).allowed).toBe(true);
    breaker.release();
    expect(breaker.permit(5_001).allowed).toBe(true);
    expect(breaker.permit(5_002).allowed).toBe(false);
    expect(breaker.permit(10_002).allowed).toBe(true);
  });

  it('ignores outcomes of requests let through before it opened', () => {
    const breaker = new CircuitBreaker(parameters);
    failTimes(breaker, 4, 0);
    expect(breaker.record(true, 100)).toEqual({
      tripped: false,
      consecutiveTrips: 1,
    });
    expect(breaker.state(100)).toBe(CircuitBreakerState.Open);
  });

  it('is idle (safe to drop) only when closed, never tripped and without recent samples', () => {
    const breaker = new CircuitBreaker(parameters);
    expect(breaker.isIdle(0)).toBe(true);
    breaker.record(true, 0);
    expect(breaker.isIdle(1)).toBe(false);
    expect(breaker.isIdle(parameters.sampleMs)).toBe(true);
    for (let i = 0; i < parameters.minimumRequests; i++) breaker.record(false, 10);
    expect(breaker.isIdle(10 * parameters.sampleMs)).toBe(false);
  });

  it('counts exactly the outcomes inside the window over a long run of outcomes', () => {
    // A busy endpoint: one outcome per millisecond for 30 windows, every fourth one a failure
    // (below the threshold), then failures only, which open it exactly when the failures
    // inside the last window reach half of that window's outcomes.
    const breaker = new CircuitBreaker({ ...parameters, sampleMs: 1_000 });
    const recorded: Array<{ at: number; ok: boolean }> = [];
    const record = (ok: boolean, at: number) => {
      recorded.push({ at, ok });
      return breaker.record(ok, at);
    };
    for (let at = 0; at < 30_000; at++) expect(record(at % 4 !== 3, at).tripped).toBe(false);
    let at = 30_000;
    for (;;) {
      const inWindow = recorded.filter((sample) => sample.at > at - 1_000);
      const failures = inWindow.filter((sample) => !sample.ok).length + 1;
      const shouldTrip = failures * 2 >= inWindow.length + 1;
      expect(record(false, at).tripped).toBe(shouldTrip);
      if (shouldTrip) break;
      at += 1;
    }
    expect(at).toBeGreaterThan(30_000);
    expect(breaker.state(at)).toBe(CircuitBreakerState.Open);
  });
});
