import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { call, type Paged, projectPath, toSearch } from '../lib/api';
import { isInFlight, retryButton } from '../lib/delivery-actions';
import { LIVE_MS, useChange, usePagedList } from '../lib/hooks';
import type { PageCursor } from '../lib/paging';
import { DataTable } from '../components/data-table';
import { TextField } from '../components/form';
import { ErrorState, Json, QueryState, Status, Time } from '../components/ui';

export interface Delivery {
  uid: string;
  event_id: string;
  event_type: string;
  status: string;
  description: string;
  endpoint_metadata?: { uid: string; name: string; url?: string } | null;
  event_metadata?: { is_duplicate_event: boolean; idempotency_key: string } | null;
  metadata: { num_trials: number; retry_limit: number; next_send_time: string; data?: unknown; raw?: string };
  latency_seconds: number | null;
  created_at: string;
  updated_at: string;
}

interface Attempt {
  uid: string;
  url: string;
  method: string;
  http_status: string;
  status: boolean;
  error: string;
  latency_ms: number | null;
  request_http_header: Record<string, string>;
  response_http_header: Record<string, string>;
  response_data: string;
  created_at: string;
}

const STATUSES = ['Scheduled', 'Processing', 'Success', 'Retry', 'Failure', 'Discarded'];

/** A (paged) list of deliveries; each links to `detailBase/{id}`. */
export function DeliveryTable({
  query,
  detailBase,
  empty,
  onPage,
}: {
  query: { isPending: boolean; error: unknown; data: Paged<Delivery> | undefined };
  detailBase: string;
  empty: string;
  onPage?: (page: PageCursor) => void;
}) {
  return (
    <DataTable
      query={query}
      onPage={onPage}
      empty={empty}
      rowKey={(delivery) => delivery.uid}
      rowAttributes={(delivery) => ({ 'data-delivery': delivery.uid })}
      columns={[
        {
          header: 'Status',
          cell: (delivery) => (
            <Link to={`${detailBase}/${delivery.uid}`} aria-label={`Delivery ${delivery.uid}, ${delivery.status}`}>
              <Status value={delivery.status} />
            </Link>
          ),
        },
        { header: 'Event type', cell: (delivery) => delivery.event_type },
        { header: 'Endpoint', cell: (delivery) => delivery.endpoint_metadata?.name ?? '—' },
        {
          header: 'Attempts',
          cell: (delivery) => `${delivery.metadata.num_trials}/${delivery.metadata.retry_limit}`,
        },
        { header: 'Created', cell: (delivery) => <Time value={delivery.created_at} /> },
      ]}
    />
  );
}

export function Deliveries() {
  const { projectId = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const statuses = search.getAll('status');
  const endpointId = search.get('endpointId') ?? '';
  const eventType = search.get('eventType') ?? '';
  const filters = { status: statuses, endpointId: endpointId || undefined, eventType: eventType || undefined };
  const { query, setPage } = usePagedList<Delivery>(projectId, 'eventdeliveries', filters, {
    live: true,
  });
  const [outcome, setOutcome] = useState('');
  const batch = useChange(projectId, () =>
    call<{ num_success: number; num_failure: number }>(
      'POST',
      `${projectPath(projectId, '/eventdeliveries/batchretry')}${toSearch(filters)}`,
    ),
  );
  const setFilter = (name: string, values: string[]) => {
    const next = new URLSearchParams(search);
    next.delete(name);
    values.filter(Boolean).forEach((value) => next.append(name, value));
    setSearch(next, { replace: true });
  };

  return (
    <section>
      <h1>Event deliveries</h1>
      <fieldset className="toolbar">
        <legend>Filter by status</legend>
        {STATUSES.map((status) => (
          <label key={status} className="check">
            <input
              type="checkbox"
              checked={statuses.includes(status)}
              onChange={(event) =>
                setFilter('status', event.target.checked ? [...statuses, status] : statuses.filter((s) => s !== status))
              }
            />
            {status}
          </label>
        ))}
      </fieldset>
      <div className="toolbar">
        <TextField label="Event type" value={eventType} onChange={(value) => setFilter('eventType', [value])} />
        {endpointId && (
          <p>
            Endpoint <code>{endpointId}</code>{' '}
            <button type="button" className="small" onClick={() => setFilter('endpointId', [])}>
              Clear
            </button>
          </p>
        )}
        <button
          type="button"
          onClick={() =>
            window.confirm('Retry every Failure/Discarded delivery matching these filters?') &&
            batch.mutate(undefined, {
              onSuccess: (counts) =>
                setOutcome(`${counts.num_success} scheduled again, ${counts.num_failure} not retried`),
            })
          }
        >
          Retry all matching
        </button>
      </div>
      {outcome && <p role="status">{outcome}</p>}
      {batch.error ? <ErrorState error={batch.error} /> : null}
      <DeliveryTable
        query={query}
        onPage={setPage}
        empty="No deliveries match."
        detailBase={`/projects/${projectId}/deliveries`}
      />
    </section>
  );
}

/** A delivery with every attempt and its one Retry / Force Retry button; shared by the portal. */
export function DeliveryView({
  base,
  deliveryId,
  portal = false,
}: {
  base: string;
  deliveryId: string;
  portal?: boolean;
}) {
  const queries = useQueryClient();
  const key = ['delivery', base, deliveryId];
  const delivery = useQuery({
    queryKey: key,
    queryFn: () => call<Delivery>('GET', `${base}/${deliveryId}`, { portal }),
    // Live while it is still moving, so a retry is seen through to its end.
    refetchInterval: (state) => (!state.state.data || isInFlight(state.state.data.status) ? LIVE_MS : LIVE_MS * 5),
  });
  const attempts = useQuery({
    queryKey: [...key, 'attempts', delivery.data?.status, delivery.data?.metadata.num_trials],
    queryFn: () => call<Attempt[]>('GET', `${base}/${deliveryId}/deliveryattempts`, { portal }),
    enabled: Boolean(delivery.data),
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function retry(action: 'resend' | 'forceresend') {
    setBusy(true);
    setError(null);
    try {
      if (action === 'resend') await call('PUT', `${base}/${deliveryId}/resend`, { portal });
      else await call('POST', `${base}/forceresend`, { body: { ids: [deliveryId] }, portal });
      await queries.invalidateQueries({ queryKey: key });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <QueryState query={delivery}>
      {(data) => {
        const button = retryButton(data.status);
        return (
          <section>
            <h1>
              Delivery <code>{data.uid}</code>
            </h1>
            <div className="toolbar">
              <Status value={data.status} />
              <button
                type="button"
                disabled={!button.enabled || busy}
                onClick={() => button.action && void retry(button.action)}
              >
                {button.label}
              </button>
            </div>
            {error ? <ErrorState error={error} /> : null}
            <dl className="meta">
              <dt>Description</dt>
              <dd>{data.description}</dd>
              <dt>Event type</dt>
              <dd>{data.event_type}</dd>
              <dt>Endpoint</dt>
              <dd>
                {data.endpoint_metadata?.name} <small>{data.endpoint_metadata?.url}</small>
              </dd>
              <dt>Attempts</dt>
              <dd>
                {data.metadata.num_trials} of {data.metadata.retry_limit}
              </dd>
              <dt>Next attempt</dt>
              <dd>
                <Time value={data.metadata.next_send_time} />
              </dd>
              <dt>Latency</dt>
              <dd>{data.latency_seconds === null ? '—' : `${data.latency_seconds} s`}</dd>
              <dt>Created</dt>
              <dd>
                <Time value={data.created_at} />
              </dd>
            </dl>
            {data.metadata.data !== undefined && <Json value={data.metadata.data} label="Payload" />}
            <h2>Attempts</h2>
            <QueryState query={attempts} isEmpty={(list) => list.length === 0} empty="No attempt yet.">
              {(list) => (
                <ol className="attempts">
                  {list.map((attempt) => (
                    <li key={attempt.uid}>
                      <details>
                        <summary>
                          <Time value={attempt.created_at} /> — {attempt.method} {attempt.url} —{' '}
                          <strong>{attempt.http_status || attempt.error || 'no response'}</strong>
                          {attempt.latency_ms !== null && ` — ${attempt.latency_ms} ms`}
                        </summary>
                        {attempt.error && <p className="error">{attempt.error}</p>}
                        <h3>Request headers</h3>
                        <Json value={attempt.request_http_header} label="Request headers" />
                        <h3>Response headers</h3>
                        <Json value={attempt.response_http_header} label="Response headers" />
                        <h3>Response body</h3>
                        <Json value={attempt.response_data || '(empty)'} label="Response body" />
                      </details>
                    </li>
                  ))}
                </ol>
              )}
            </QueryState>
          </section>
        );
      }}
    </QueryState>
  );
}

export function DeliveryDetail() {
  const { projectId = '', deliveryId = '' } = useParams();
  return (
    <>
      <Link to={`/projects/${projectId}/deliveries`}>← Deliveries</Link>
      <DeliveryView base={projectPath(projectId, '/eventdeliveries')} deliveryId={deliveryId} />
    </>
  );
}
