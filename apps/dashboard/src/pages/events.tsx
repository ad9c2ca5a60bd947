import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { call, type Paged, projectPath } from '../lib/api';
import { LIVE_MS, useChange, usePagedList } from '../lib/hooks';
import type { PageCursor } from '../lib/paging';
import { DataTable } from '../components/data-table';
import { CheckboxField, SelectField, TextField } from '../components/form';
import { ErrorState, Json, QueryState, Status, Time } from '../components/ui';
import { DeliveryTable, type Delivery } from './deliveries';

export interface EventRow {
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

/** A (paged) list of events; each links to `detailBase/{id}`, duplicates marked. */
export function EventTable({
  query,
  detailBase,
  onPage,
}: {
  query: { isPending: boolean; error: unknown; data: Paged<EventRow> | undefined };
  detailBase: string;
  onPage: (page: PageCursor) => void;
}) {
  return (
    <DataTable
      query={query}
      onPage={onPage}
      empty="No events match."
      rowKey={(event) => event.uid}
      rowAttributes={(event) => ({ 'data-event': event.uid })}
      columns={[
        {
          header: 'Event',
          cell: (event) => (
            <>
              <Link to={`${detailBase}/${event.uid}`}>
                <code>{event.uid.slice(-8)}</code>
              </Link>{' '}
              {event.is_duplicate_event && <span className="badge duplicate">duplicate</span>}
            </>
          ),
        },
        { header: 'Type', cell: (event) => event.event_type },
        { header: 'Idempotency key', cell: (event) => event.idempotency_key || '—' },
        { header: 'Status', cell: (event) => <Status value={event.status} /> },
        { header: 'Created', cell: (event) => <Time value={event.created_at} /> },
      ]}
    />
  );
}

export function Events() {
  const { projectId = '' } = useParams();
  const [endpointId, setEndpointId] = useState('');
  const [sourceId, setSourceId] = useState('');
  const [search, setSearch] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const all = (resource: string) => ({
    queryKey: [projectId, resource, 'all'],
    queryFn: () =>
      call<Paged<{ uid: string; name: string }>>('GET', projectPath(projectId, `/${resource}`), {
        query: { perPage: 100 },
      }),
  });
  const endpoints = useQuery(all('endpoints'));
  const sources = useQuery(all('sources'));
  const choices = (data: Paged<{ uid: string; name: string }> | undefined) => [
    ['', 'any'] as const,
    ...(data?.content ?? []).map((item) => [item.uid, item.name] as const),
  ];
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
        <SelectField label="Endpoint" value={endpointId} onChange={setEndpointId} options={choices(endpoints.data)} />
        <SelectField label="Source" value={sourceId} onChange={setSourceId} options={choices(sources.data)} />
        <TextField label="Event type or text in the body" type="search" value={search} onChange={setSearch} />
        <TextField label="Idempotency key" value={idempotencyKey} onChange={setIdempotencyKey} />
        <TextField label="From" type="datetime-local" value={from} onChange={setFrom} />
        <TextField label="To" type="datetime-local" value={to} onChange={setTo} />
      </form>
      <EventTable query={query} onPage={setPage} detailBase={`/projects/${projectId}/events`} />
    </section>
  );
}

/**
 * One event: the payload pretty-printed or as the exact bytes received, its headers and its
 * deliveries; shared by the operator (with Replay) and the portal (its own endpoints only).
 */
export function EventView({
  scope,
  eventPath,
  deliveriesPath,
  deliveryBase,
  portal = false,
  onReplay,
}: {
  /** The query-key root its changes refresh (the project id, or the portal's). */
  scope: string;
  eventPath: string;
  deliveriesPath: string;
  deliveryBase: string;
  portal?: boolean;
  onReplay?: { run: () => void; pending: boolean; done: boolean; error: unknown };
}) {
  const [raw, setRaw] = useState(false);
  const event = useQuery({
    queryKey: [scope, 'event', eventPath],
    queryFn: () => call<EventRow>('GET', eventPath, { portal }),
  });
  const eventId = eventPath.slice(eventPath.lastIndexOf('/') + 1);
  const deliveries = useQuery({
    queryKey: [scope, 'event-deliveries', eventPath],
    queryFn: () => call<Paged<Delivery>>('GET', deliveriesPath, { query: { eventId, perPage: 100 }, portal }),
    refetchInterval: LIVE_MS,
  });
  return (
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
            {onReplay && (
              <button type="button" onClick={onReplay.run} disabled={onReplay.pending}>
                Replay
              </button>
            )}
            {onReplay?.done && <span role="status">Replayed: new deliveries are on their way.</span>}
          </div>
          {onReplay?.error ? <ErrorState error={onReplay.error} /> : null}
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
          <CheckboxField label="Show the exact bytes received" checked={raw} onChange={setRaw} />
          <Json value={raw ? data.raw : data.data} label="Payload" />
          <h2>Headers</h2>
          <Json value={data.headers} label="Headers" />
          <h2>Deliveries</h2>
          <DeliveryTable
            query={deliveries}
            detailBase={deliveryBase}
            empty={data.is_duplicate_event ? 'None: duplicates are not delivered.' : 'No deliveries yet.'}
          />
        </section>
      )}
    </QueryState>
  );
}

export function EventDetail() {
  const { projectId = '', eventId = '' } = useParams();
  const replay = useChange(projectId, () => call('PUT', projectPath(projectId, `/events/${eventId}/replay`)));
  return (
    <>
      <Link to={`/projects/${projectId}/events`}>← Events</Link>
      <EventView
        scope={projectId}
        eventPath={projectPath(projectId, `/events/${eventId}`)}
        deliveriesPath={projectPath(projectId, '/eventdeliveries')}
        deliveryBase={`/projects/${projectId}/deliveries`}
        onReplay={{
          run: () => replay.mutate(),
          pending: replay.isPending,
          done: replay.isSuccess,
          error: replay.error,
        }}
      />
    </>
  );
}
