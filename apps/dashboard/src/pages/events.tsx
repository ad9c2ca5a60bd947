import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { call, type Paged, projectPath } from '../lib/api';
import { LIVE_MS, useChange, usePagedList } from '../lib/hooks';
import { ErrorState, Field, Json, Pager, QueryState, Status, Time } from '../components/ui';
import { DeliveryTable, type Delivery } from './deliveries';

interface EventRow {
  uid: string;
  event_type: string;
  source_id: string;
  idempotency_key: string;
  is_duplicate_event: boolean;
  status: string;
  data: unknown;
  raw: string;
  headers: Record<string, string[]>;
  created_at: string;
}

const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function Events() {
  const { projectId = '' } = useParams();
  const [endpointId, setEndpointId] = useState('');
  const [sourceId, setSourceId] = useState('');
  const [search, setSearch] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const endpoints = useQuery({
    queryKey: [projectId, 'endpoints', 'all'],
    queryFn: () =>
      call<Paged<{ uid: string; name: string }>>('GET', projectPath(projectId, '/endpoints'), {
        query: { perPage: 100 },
      }),
  });
  const sources = useQuery({
    queryKey: [projectId, 'sources', 'all'],
    queryFn: () =>
      call<Paged<{ uid: string; name: string }>>('GET', projectPath(projectId, '/sources'), {
        query: { perPage: 100 },
      }),
  });
  const { query, setPage } = usePagedList<EventRow>(
    projectId,
    'events',
    {
      endpointId: endpointId || undefined,
      sourceId: sourceId || undefined,
      query: search || undefined,
      idempotencyKey: idempotencyKey || undefined,
      startDate: toIso(from),
      endDate: toIso(to),
    },
    { live: true },
  );

  return (
    <section>
      <h1>Events</h1>
      <form className="toolbar filters" aria-label="Event filters" onSubmit={(e) => e.preventDefault()}>
        <Field label="Endpoint">
          {(id) => (
            <select id={id} value={endpointId} onChange={(e) => setEndpointId(e.target.value)}>
              <option value="">any</option>
              {(endpoints.data?.content ?? []).map((endpoint) => (
                <option key={endpoint.uid} value={endpoint.uid}>
                  {endpoint.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Source">
          {(id) => (
            <select id={id} value={sourceId} onChange={(e) => setSourceId(e.target.value)}>
              <option value="">any</option>
              {(sources.data?.content ?? []).map((source) => (
                <option key={source.uid} value={source.uid}>
                  {source.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Event type or text in the body">
          {(id) => <input id={id} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />}
        </Field>
        <Field label="Idempotency key">
          {(id) => <input id={id} value={idempotencyKey} onChange={(e) => setIdempotencyKey(e.target.value)} />}
        </Field>
        <Field label="From">
          {(id) => <input id={id} type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />}
        </Field>
        <Field label="To">
          {(id) => <input id={id} type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />}
        </Field>
      </form>
      <QueryState query={query} isEmpty={(page) => page.content.length === 0} empty="No events match.">
        {(page) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Type</th>
                  <th scope="col">Idempotency key</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {page.content.map((event) => (
                  <tr key={event.uid} data-event={event.uid}>
                    <td>
                      <Link to={`/projects/${projectId}/events/${event.uid}`}>
                        <code>{event.uid.slice(-8)}</code>
                      </Link>{' '}
                      {event.is_duplicate_event && <span className="badge duplicate">duplicate</span>}
                    </td>
                    <td>{event.event_type}</td>
                    <td>{event.idempotency_key || '—'}</td>
                    <td>
                      <Status value={event.status} />
                    </td>
                    <td>
                      <Time value={event.created_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager pagination={page.pagination} onPage={setPage} />
          </>
        )}
      </QueryState>
    </section>
  );
}

export function EventDetail() {
  const { projectId = '', eventId = '' } = useParams();
  const [raw, setRaw] = useState(false);
  const event = useQuery({
    queryKey: [projectId, 'event', eventId],
    queryFn: () => call<EventRow>('GET', projectPath(projectId, `/events/${eventId}`)),
  });
  const deliveries = useQuery({
    queryKey: [projectId, 'event-deliveries', eventId],
    queryFn: () =>
      call<Paged<Delivery>>('GET', projectPath(projectId, '/eventdeliveries'), { query: { eventId, perPage: 100 } }),
    refetchInterval: LIVE_MS,
  });
  const replay = useChange(projectId, () => call('PUT', projectPath(projectId, `/events/${eventId}/replay`)));

  return (
    <>
      <Link to={`/projects/${projectId}/events`}>← Events</Link>
      <QueryState query={event}>
        {(data) => (
          <section>
            <h1>
              Event <code>{data.uid}</code>{' '}
              {data.is_duplicate_event && <span className="badge duplicate">duplicate</span>}
            </h1>
            {data.is_duplicate_event && (
              <p className="hint">
                A duplicate: an event with idempotency key <code>{data.idempotency_key}</code> was already accepted, so
                this one is kept for the record and never delivered.
              </p>
            )}
            <div className="toolbar">
              <Status value={data.status} />
              <button type="button" onClick={() => replay.mutate()} disabled={replay.isPending}>
                Replay
              </button>
              {replay.isSuccess && <span role="status">Replayed: new deliveries are on their way.</span>}
            </div>
            {replay.error ? <ErrorState error={replay.error} /> : null}
            <dl className="meta">
              <dt>Type</dt>
              <dd>{data.event_type}</dd>
              <dt>Idempotency key</dt>
              <dd>{data.idempotency_key || '—'}</dd>
              <dt>Created</dt>
              <dd>
                <Time value={data.created_at} />
              </dd>
            </dl>
            <h2>Payload</h2>
            <label className="check">
              <input type="checkbox" checked={raw} onChange={(e) => setRaw(e.target.checked)} /> Show the exact bytes
              received
            </label>
            <Json value={raw ? data.raw : data.data} label="Payload" />
            <h2>Headers</h2>
            <Json value={data.headers} label="Headers" />
            <h2>Deliveries</h2>
            <QueryState
              query={deliveries}
              isEmpty={(page) => page.content.length === 0}
              empty={data.is_duplicate_event ? 'None: duplicates are not delivered.' : 'No deliveries yet.'}
            >
              {(page) => <DeliveryTable deliveries={page.content} detailBase={`/projects/${projectId}/deliveries`} />}
            </QueryState>
          </section>
        )}
      </QueryState>
    </>
  );
}
