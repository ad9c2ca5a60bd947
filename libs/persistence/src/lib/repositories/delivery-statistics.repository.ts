import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../sql/sql-rows.helper';
import { DELIVERY, sqlList } from '../sql/status-literals.sql';
import { DeliveryStatus } from '@caravan/domain';

const FAILED = sqlList([DeliveryStatus.Failure, DeliveryStatus.Discarded]);

export type StatisticsPeriod = 'minute' | 'hour' | 'day';

export interface DeliveryCountBucket {
  /** Start of the period (UTC). */
  period: Date;
  status: DeliveryStatus;
  count: number;
}

export interface EndpointDeliveryCounts {
  endpointId: string;
  success: number;
  failure: number;
  /** Deliveries that needed more than one attempt. */
  retried: number;
  total: number;
}

/**
 * Read-only counts for dashboards. Every query is bounded by project and a created_at range
 * and reads only covering indexes (event_deliveries_project_created_at_idx and
 * event_deliveries_project_endpoint_created_at_idx), so its cost follows the rows in range,
 * not the size of the table.
 */
@Injectable()
export class DeliveryStatisticsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async countByStatusAndPeriod(
    projectId: string,
    from: Date,
    to: Date,
    period: StatisticsPeriod,
  ): Promise<DeliveryCountBucket[]> {
    const rows = await queryRows(
      this.dataSource.manager,
      `SELECT date_trunc($4, created_at, 'UTC') AS period, status, count(*)::int AS count
       FROM event_deliveries
       WHERE project_id = $1 AND created_at >= $2 AND created_at < $3
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [projectId, from, to, period],
    );
    return rows.map((row) => ({
      period: new Date(row['period'] as string | Date),
      status: row['status'] as DeliveryStatus,
      count: Number(row['count']),
    }));
  }

  /**
   * Per endpoint, for the given endpoints or (none given) every endpoint of the project;
   * endpoints without deliveries in range are absent.
   */
  async countByEndpoint(
    projectId: string,
    endpointIds: readonly string[],
    from: Date,
    to: Date,
  ): Promise<EndpointDeliveryCounts[]> {
    const rows = await queryRows(
      this.dataSource.manager,
      `SELECT endpoint_id,
              count(*) FILTER (WHERE status = ${DELIVERY.Success})::int AS success,
              count(*) FILTER (WHERE status IN ${FAILED})::int AS failure,
              count(*) FILTER (WHERE attempts > 1)::int AS retried,
              count(*)::int AS total
       FROM event_deliveries
       WHERE project_id = $1 AND ($2::text[] IS NULL OR endpoint_id = ANY($2::text[]))
         AND created_at >= $3 AND created_at < $4
       GROUP BY endpoint_id`,
      [projectId, endpointIds.length > 0 ? [...endpointIds] : null, from, to],
    );
    return rows.map((row): EndpointDeliveryCounts => ({
      endpointId: row['endpoint_id'] as string,
      success: Number(row['success']),
      failure: Number(row['failure']),
      retried: Number(row['retried']),
      total: Number(row['total']),
    }));
  }
}
