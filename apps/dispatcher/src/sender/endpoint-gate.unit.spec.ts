import { CircuitBreakerState } from '@caravan/domain';
import { aProject, anEndpoint, counted, dispatcherMetrics, dispatcherSettings } from '../testing/unit-fixtures.helper';
import { EndpointGate } from './endpoint-gate.service';

const BREAKER = {
  CARAVAN_BREAKER_MIN_REQUESTS: '1',
  CARAVAN_BREAKER_FAILURE_THRESHOLD: '100',
  CARAVAN_BREAKER_ERROR_TIMEOUT_SECONDS: '10',
};

describe('EndpointGate', () => {
  const t0 = Date.UTC(2026, 0, 1);

  it("limits by the endpoint's own rate, else the project's", () => {
    const gate = new EndpointGate(dispatcherSettings(), dispatcherMetrics());
    const project = aProject({ ratelimit: { count: 1, duration: 10 } });
    const own = anEndpoint(project, { rateLimit: 2, rateLimitDuration: 60 });
    const inherits = anEndpoint(project);

    expect(gate.admit(own, project, t0)).toEqual({ admitted: true });
    expect(gate.admit(own, project, t0)).toEqual({ admitted: true });
    expect(gate.admit(own, project, t0 + 1)).toEqual({ admitted: false, reason: 'rate-limited', retryInMs: 59_999 });

    expect(gate.admit(inherits, project, t0)).toEqual({ admitted: true });
    expect(gate.admit(inherits, project, t0 + 4_000)).toEqual({
      admitted: false,
      reason: 'rate-limited',
      retryInMs: 6_000,
    });
    expect(gate.admit(inherits, project, t0 + 10_000)).toEqual({ admitted: true });
  });

  it('an open breaker defers without spending a rate-limit slot', async () => {
    const metrics = dispatcherMetrics();
    const gate = new EndpointGate(dispatcherSettings(BREAKER), metrics);
    const project = aProject();
    const endpoint = anEndpoint(project, { rateLimit: 1, rateLimitDuration: 60 });
    expect(gate.record(endpoint.id, false, t0)).toMatchObject({ tripped: true });
    expect(gate.state(endpoint.id, t0)).toBe(CircuitBreakerState.Open);

    expect(gate.admit(endpoint, project, t0 + 1_000)).toEqual({
      admitted: false,
      reason: 'breaker-open',
      retryInMs: 9_000,
    });
    expect(await counted(metrics.breakerDeferred)).toBe(1);
    // The half-open probe still finds its rate-limit slot free.
    expect(gate.admit(endpoint, project, t0 + 10_000)).toEqual({ admitted: true });
  });

  it('a probe refused by the rate limit gives its half-open slot back', () => {
    const gate = new EndpointGate(dispatcherSettings(BREAKER), dispatcherMetrics());
    const project = aProject();
    const endpoint = anEndpoint(project, { rateLimit: 1, rateLimitDuration: 60 });
    expect(gate.admit(endpoint, project, t0)).toEqual({ admitted: true });
    gate.record(endpoint.id, false, t0);
    expect(gate.admit(endpoint, project, t0 + 10_000)).toMatchObject({ admitted: false, reason: 'rate-limited' });
    expect(gate.admit(endpoint, project, t0 + 60_000)).toEqual({ admitted: true });
  });

  it('forgets endpoints gone quiet, and keeps a tripped breaker', () => {
    const gate = new EndpointGate(dispatcherSettings(BREAKER), dispatcherMetrics());
    const project = aProject({ ratelimit: { count: 5, duration: 1 } });
    const quiet = anEndpoint(project);
    const tripped = anEndpoint(project);
    gate.admit(quiet, project, t0);
    gate.admit(tripped, project, t0);
    gate.record(tripped.id, false, t0);
    expect(gate.trackedEndpoints()).toEqual({ limiter: 2, breakers: 2 });

    gate.evictIdle(t0 + 120_000);
    expect(gate.trackedEndpoints()).toEqual({ limiter: 0, breakers: 1 });
    expect(gate.state(tripped.id, t0 + 120_000)).toBe(CircuitBreakerState.HalfOpen);
  });
});
