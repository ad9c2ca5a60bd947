import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { RequestLimit } from '@caravan/config';
import { MicroBatcher } from '@caravan/domain';
import { MetricsRegistry } from '@caravan/observability';
import { CounterTotal, RequestCountersRepository } from '@caravan/persistence';
import { RateLimitedException } from './rate-limited.exception';

export const REQUEST_LIMITS = Symbol('REQUEST_LIMITS');

export interface RequestLimits {
  api: RequestLimit;
  ingest: RequestLimit;
}

type Scope = keyof RequestLimits;

interface Hit {
  key: string;
  windowSeconds: number;
}

/** Where one request landed in its window: its rank among the window's requests. */
interface Verdict {
  rank: number;
  secondsLeft: number;
}

/** How often counters of ended windows are dropped. */
const PURGE_INTERVAL_MS = 60_000;

/**
 * Fixed-window request limits shared by every api replica: each request is counted in
 * Postgres (`request_counters`), so N replicas together let exactly `limit` requests per
 * window through, not N × limit. Requests arriving within a couple of milliseconds share one
 * upsert, and each learns its own rank in the window from the batch's new total, so the count
 * stays exact under concurrency. Only limited scopes touch the database.
 */
@Injectable()
export class RequestRateLimiter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RequestRateLimiter.name);
  private readonly limited: Counter<'scope'>;
  private readonly batcher = new MicroBatcher<Hit, Verdict>((hits) => this.count(hits), { lingerMs: 2, maxBatch: 500 });
  private purgeTimer?: ReturnType<typeof setInterval>;

  constructor(
    @Inject(REQUEST_LIMITS) private readonly limits: RequestLimits,
    private readonly counters: RequestCountersRepository,
    metrics: MetricsRegistry,
  ) {
    this.limited = new Counter({
      name: 'caravan_api_rate_limited_requests_total',
      help: 'Requests refused with 429 by the per-project (api) or per-source (ingest) request limit',
      labelNames: ['scope'],
      registers: [metrics.registry],
    });
  }

  onModuleInit(): void {
    if (this.limits.api.limit === 0 && this.limits.ingest.limit === 0) return;
    this.purgeTimer = setInterval(() => {
      this.counters
        .purgeEnded()
        .catch((error: Error) => this.logger.warn({ err: error }, 'request counters not purged'));
    }, PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
  }

  /** Counts a REST request of the project; a 429 once the project's window is used up. */
  checkProject(projectId: string): Promise<void> {
    return this.check('api', projectId, `project ${projectId}`);
  }

  /** Counts an /ingest request of the source; a 429 once the source's window is used up. */
  checkSource(sourceId: string): Promise<void> {
    return this.check('ingest', sourceId, `source ${sourceId}`);
  }

  private async check(scope: Scope, id: string, subject: string): Promise<void> {
    const { limit, windowSeconds } = this.limits[scope];
    if (limit === 0) return;
    const verdict = await this.batcher.submit({ key: `${scope}:${id}`, windowSeconds });
    if (verdict.rank <= limit) return;
    this.limited.inc({ scope });
    const retryAfter = Math.max(1, Math.ceil(verdict.secondsLeft));
    throw new RateLimitedException(
      `rate limit exceeded: ${subject} may make ${limit} requests per ${windowSeconds}s; retry in ${retryAfter}s`,
      retryAfter,
    );
  }

  /** One upsert for the batch; the i-th request of a key ranks (new total − its batch count + i). */
  private async count(hits: Hit[]): Promise<Verdict[]> {
    const perKey = new Map<string, Hit & { count: number }>();
    for (const hit of hits) {
      const entry = perKey.get(hit.key) ?? { ...hit, count: 0 };
      entry.count += 1;
      perKey.set(hit.key, entry);
    }
    const totals = new Map<string, CounterTotal>(
      (await this.counters.add([...perKey.values()])).map((total) => [total.key, total]),
    );
    const seen = new Map<string, number>();
    return hits.map((hit) => {
      const total = totals.get(hit.key);
      const batchCount = perKey.get(hit.key)?.count ?? 0;
      const index = (seen.get(hit.key) ?? 0) + 1;
      seen.set(hit.key, index);
      return { rank: (total?.hits ?? 0) - batchCount + index, secondsLeft: total?.secondsLeft ?? 0 };
    });
  }
}
