import { lazy, Suspense, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { call, type Paged, projectPath } from '../lib/api';
import { LIVE_MS } from '../lib/hooks';
import type { Bucket } from '../components/delivery-chart';
import { DataTable } from '../components/data-table';
import { Loading, QueryState, Status } from '../components/ui';

// The charting library is loaded with the overview only: sign-in, the portal and the other
// pages do not download it.
const DeliveryChart = lazy(() =>
  import('../components/delivery-chart').then((module) => ({ default: module.DeliveryChart })),
);

interface Statistics {
  period: string;
  totals: Record<string, number>;
  success_rate: number | null;
  buckets: Bucket[];
}

interface FailureRate {
  uid: string;
  success_count: number;
  failure_count: number;
  retry_count: number;
  period_failure_rate: number;
}

interface EndpointRow {
  uid: string;
  name: string;
  status: string;
  cb_state: string;
}

const RANGES = {
  hour: { label: 'Last hour', ms: 3_600_000, period: 'minute' },
  day: { label: 'Last day', ms: 86_400_000, period: 'hour' },
} as const;

export function Overview() {
  const { projectId = '' } = useParams();
  const [range, setRange] = useState<keyof typeof RANGES>('hour');
  const { ms, period } = RANGES[range];
  const statistics = useQuery({
    queryKey: [projectId, 'statistics', range],
    queryFn: () => {
      const end = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
      return call<Statistics>('GET', projectPath(projectId, '/statistics/deliveries'), {
        query: { period, startDate: new Date(end.getTime() - ms).toISOString(), endDate: end.toISOString() },
      });
    },
    refetchInterval: LIVE_MS * 5,
  });
  const rates = useQuery({
    queryKey: [projectId, 'failure-rates', range],
    queryFn: () =>
      call<FailureRate[]>('GET', projectPath(projectId, '/endpoints/period-failure-rates'), {
        query: { startDate: new Date(Date.now() - ms).toISOString() },
      }),
    refetchInterval: LIVE_MS * 5,
  });
  const endpoints = useQuery({
    queryKey: [projectId, 'endpoints', 'overview'],
    queryFn: () => call<Paged<EndpointRow>>('GET', projectPath(projectId, '/endpoints'), { query: { perPage: 100 } }),
  });
  const names = new Map((endpoints.data?.content ?? []).map((endpoint) => [endpoint.uid, endpoint.name] as const));

  return (
    <section>
      <h1>Overview</h1>
      <div role="group" aria-label="Time range" className="toolbar">
        {Object.entries(RANGES).map(([key, value]) => (
          <button
            key={key}
            type="button"
            aria-pressed={range === key}
            onClick={() => setRange(key as keyof typeof RANGES)}
          >
            {value.label}
          </button>
        ))}
      </div>
      <QueryState query={statistics}>
        {(data) => (
          <>
            <div className="tiles">
              <div className="tile">
                <span>Success rate</span>
                <strong data-testid="success-rate">{data.success_rate === null ? '—' : `${data.success_rate}%`}</strong>
              </div>
              {['Success', 'Failure', 'Retry', 'Discarded'].map((status) => (
                <div className="tile" key={status}>
                  <Status value={status} />
                  <strong>{data.totals[status] ?? 0}</strong>
                </div>
              ))}
            </div>
            <h2>Deliveries per {data.period} by status</h2>
            <Suspense fallback={<Loading what="Loading the chart" />}>
              <DeliveryChart
                buckets={data.buckets}
                label={`Deliveries per ${data.period} by status, ${RANGES[range].label}`}
              />
            </Suspense>
          </>
        )}
      </QueryState>
      <div className="columns">
        <div>
          <h2>Endpoints with the most failures</h2>
          <DataTable
            query={rates}
            rowKey={(row) => row.uid}
            empty="No failed deliveries in this range."
            select={(list) => list.filter((row) => row.failure_count > 0).slice(0, 5)}
            columns={[
              {
                header: 'Endpoint',
                cell: (row) => (
                  <Link to={`/projects/${projectId}/deliveries?endpointId=${row.uid}`}>
                    {names.get(row.uid) ?? row.uid}
                  </Link>
                ),
              },
              { header: 'Failed', cell: (row) => row.failure_count },
              { header: 'Succeeded', cell: (row) => row.success_count },
              { header: 'Failure rate', cell: (row) => `${row.period_failure_rate}%` },
            ]}
          />
        </div>
        <div>
          <h2>Circuit breakers</h2>
          <QueryState query={endpoints} isEmpty={(page) => page.content.length === 0} empty="No endpoints yet.">
            {(page) => (
              <ul className="plain">
                {page.content.map((endpoint) => (
                  <li key={endpoint.uid}>
                    <span className={`breaker ${endpoint.cb_state}`}>
                      {endpoint.cb_state === 'open' ? 'open' : 'closed'}
                    </span>{' '}
                    {endpoint.name} <small>({endpoint.status})</small>
                  </li>
                ))}
              </ul>
            )}
          </QueryState>
        </div>
      </div>
    </section>
  );
}
