import { BadRequestException, Injectable } from '@nestjs/common';
import { DeliveryStatus } from '@caravan/domain';
import { DeliveryStatisticsRepository, StatisticsPeriod } from '@caravan/persistence';
import { createdRange } from '../common/list-filters';

const DEFAULT_RANGE_MS = 7 * 24 * 3600_000;
const PERIOD_MS: Record<StatisticsPeriod, number> = { minute: 60_000, hour: 3600_000, day: 86_400_000 };
/** More buckets than a chart can show is a request for the wrong period. */
const MAX_BUCKETS = 2_000;

export interface DeliveryCounts {
  period_start: string;
  counts: Record<DeliveryStatus, number>;
  total: number;
}

export interface EndpointPeriodFailureRate {
  uid: string;
  success_count: number;
  failure_count: number;
  retry_count: number;
  /** Percentage of finished deliveries (Success + Failure/Discarded) that failed; 0 when none finished. */
  period_failure_rate: number;
}

const zeroCounts = (): Record<DeliveryStatus, number> =>
  Object.fromEntries(Object.values(DeliveryStatus).map((status) => [status, 0])) as Record<DeliveryStatus, number>;

@Injectable()
export class DeliveryStatisticsService {
  constructor(private readonly statistics: DeliveryStatisticsRepository) {}

  /** Counts by status per period, every period of the range present (zeros included). */
  async deliveries(projectId: string, query: { startDate?: string; endDate?: string; period?: StatisticsPeriod }) {
    const period = query.period ?? 'hour';
    const { from, to } = range(query);
    const step = PERIOD_MS[period];
    const first = truncate(from, period);
    if ((to.getTime() - first.getTime()) / step > MAX_BUCKETS) {
      throw new BadRequestException({
        status: false,
        message: `the range holds more than ${MAX_BUCKETS} periods of a ${period}; choose a wider period or a shorter range`,
        errors: [{ field: 'period', message: `more than ${MAX_BUCKETS} ${period}s in the range` }],
      });
    }
    const buckets = new Map<number, DeliveryCounts>();
    for (let at = first.getTime(); at < to.getTime(); at = advance(at, period)) {
      buckets.set(at, { period_start: new Date(at).toISOString(), counts: zeroCounts(), total: 0 });
    }
    const totals = zeroCounts();
    for (const row of await this.statistics.countByStatusAndPeriod(projectId, from, to, period)) {
      const bucket = buckets.get(row.period.getTime());
      if (bucket) {
        bucket.counts[row.status] += row.count;
        bucket.total += row.count;
      }
      totals[row.status] += row.count;
    }
    const finished = totals.Success + totals.Failure + totals.Discarded;
    return {
      period,
      start_date: from.toISOString(),
      end_date: to.toISOString(),
      totals,
      /** Percentage of finished deliveries that succeeded; null when none finished. */
      success_rate: finished > 0 ? round((100 * totals.Success) / finished) : null,
      buckets: [...buckets.values()],
    };
  }

  async periodFailureRates(
    projectId: string,
    endpointIds: readonly string[],
    query: { startDate?: string; endDate?: string },
  ): Promise<EndpointPeriodFailureRate[]> {
    const { from, to } = range(query);
    const rows = await this.statistics.countByEndpoint(projectId, endpointIds, from, to);
    const byId = new Map(rows.map((row) => [row.endpointId, row] as const));
    // Asked-for endpoints with no deliveries still get a row (all zeros), as a chart expects.
    const ids = endpointIds.length > 0 ? [...new Set(endpointIds)] : rows.map((row) => row.endpointId);
    return ids
      .map((uid) => {
        const row = byId.get(uid);
        const success = row?.success ?? 0;
        const failure = row?.failure ?? 0;
        return {
          uid,
          success_count: success,
          failure_count: failure,
          retry_count: row?.retried ?? 0,
          period_failure_rate: success + failure > 0 ? round((100 * failure) / (success + failure)) : 0,
        };
      })
      .sort((a, b) => b.failure_count - a.failure_count || a.uid.localeCompare(b.uid));
  }
}

function range(query: { startDate?: string; endDate?: string }): { from: Date; to: Date } {
  const { createdFrom, createdTo } = createdRange(query);
  const to = createdTo ?? new Date();
  return { from: createdFrom ?? new Date(to.getTime() - DEFAULT_RANGE_MS), to };
}

function truncate(at: Date, period: StatisticsPeriod): Date {
  const step = PERIOD_MS[period];
  return new Date(Math.floor(at.getTime() / step) * step);
}

function advance(at: number, period: StatisticsPeriod): number {
  return at + PERIOD_MS[period];
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
