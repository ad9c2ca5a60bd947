import { Inject, Injectable } from '@nestjs/common';
import type { DispatcherSettings } from '@caravan/config';
import { CircuitBreakerState } from '@caravan/domain';
import type { EndpointEntity, ProjectEntity } from '@caravan/persistence';
import { DISPATCHER_SETTINGS } from '../common/dispatcher.tokens';
import { DispatcherMetrics } from '../metrics/dispatcher.metrics';
import { BreakerRecord, CircuitBreaker } from './circuit-breaker';
import { RateLimiter } from './rate-limiter';

export type Admission =
  | { admitted: true }
  | {
      admitted: false;
      reason: 'rate-limited' | 'breaker-open';
      retryInMs: number;
    };

/** How often idle limiter and breaker entries are looked for. */
const EVICTION_INTERVAL_MS = 60_000;

/**
 * Per-endpoint admission in front of the HTTP client: the circuit breaker first (an open
 * breaker must not spend rate-limit slots), then the rate limit (the endpoint's own, else the
 * project's). In memory, which is sound because `caravan.deliveries` is keyed by endpoint.
 */
@Injectable()
export class EndpointGate {
  private readonly limiter = new RateLimiter();
  private readonly breakers = new Map<string, CircuitBreaker>();
  private lastEviction = 0;

  constructor(
    @Inject(DISPATCHER_SETTINGS) private readonly settings: DispatcherSettings,
    private readonly metrics: DispatcherMetrics,
  ) {
    metrics.reportBreakerStates(() => this.countStates(Date.now()));
  }

  admit(endpoint: EndpointEntity, project: ProjectEntity, now: number): Admission {
    if (now - this.lastEviction >= EVICTION_INTERVAL_MS) this.evictIdle(now);
    const permit = this.breaker(endpoint.id).permit(now);
    if (!permit.allowed) {
      this.metrics.breakerDeferred.inc();
      return {
        admitted: false,
        reason: 'breaker-open',
        retryInMs: permit.retryInMs,
      };
    }
    const [limit, windowSeconds] =
      endpoint.rateLimit > 0
        ? [endpoint.rateLimit, endpoint.rateLimitDuration]
        : [project.config.ratelimit.count, project.config.ratelimit.duration];
    const wait = this.limiter.take(endpoint.id, limit, windowSeconds * 1000, now);
    if (wait > 0) {
      this.metrics.rateLimited.inc();
      this.breaker(endpoint.id).release();
      return { admitted: false, reason: 'rate-limited', retryInMs: wait };
    }
    return { admitted: true };
  }

  /** Feeds an attempt's outcome to the endpoint's breaker. */
  record(endpointId: string, ok: boolean, now: number): BreakerRecord {
    return this.breaker(endpointId).record(ok, now);
  }

  state(endpointId: string, now: number): CircuitBreakerState {
    return this.breakers.get(endpointId)?.state(now) ?? CircuitBreakerState.Closed;
  }

  /** Endpoints with a limiter log or a breaker in memory. */
  trackedEndpoints(): { limiter: number; breakers: number } {
    return { limiter: this.limiter.size, breakers: this.breakers.size };
  }

  /** Drops state of endpoints that have gone quiet, so the maps do not grow with every endpoint ever seen. */
  evictIdle(now: number): void {
    this.lastEviction = now;
    this.limiter.evictIdle(now);
    for (const [endpointId, breaker] of this.breakers) {
      if (breaker.isIdle(now)) this.breakers.delete(endpointId);
    }
  }

  private breaker(endpointId: string): CircuitBreaker {
    let breaker = this.breakers.get(endpointId);
    if (!breaker) {
      const { breaker: p } = this.settings;
      breaker = new CircuitBreaker({
        sampleMs: p.sampleSeconds * 1000,
        failureThresholdPercent: p.failureThresholdPercent,
        minimumRequests: p.minimumRequests,
        errorTimeoutMs: p.errorTimeoutSeconds * 1000,
      });
      this.breakers.set(endpointId, breaker);
    }
    return breaker;
  }

  private countStates(now: number): Record<CircuitBreakerState, number> {
    const counts: Record<CircuitBreakerState, number> = {
      closed: 0,
      open: 0,
      'half-open': 0,
    };
    for (const breaker of this.breakers.values()) counts[breaker.state(now)] += 1;
    return counts;
  }
}
