import { type FormEvent, useState } from 'react';
import { useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { call, type Paged, projectPath } from '../lib/api';
import { checkFilterDraft, type FilterDraft } from '../lib/filter-editor';
import { useChange, usePagedList } from '../lib/hooks';
import { FilterEditor } from '../components/filter-editor';
import { ErrorState, Field, Pager, QueryState } from '../components/ui';
import type { Endpoint } from './endpoints';

interface Subscription {
  uid: string;
  name: string;
  endpoint_metadata?: { uid: string; name: string } | null;
  endpoint_id?: string;
  filter_config: {
    event_types: string[];
    filter: { body?: Record<string, unknown>; headers?: Record<string, unknown> };
  };
}

const EMPTY_DRAFT: FilterDraft = { body: '', headers: '', samplePayload: '{}', sampleHeaders: '{}' };
const text = (value: Record<string, unknown> | undefined) =>
  value && Object.keys(value).length > 0 ? JSON.stringify(value, null, 2) : '';

export function Subscriptions() {
  const { projectId = '' } = useParams();
  const { query, setPage } = usePagedList<Subscription>(projectId, 'subscriptions');
  const endpoints = useQuery({
    queryKey: [projectId, 'endpoints', 'all'],
    queryFn: () => call<Paged<Endpoint>>('GET', projectPath(projectId, '/endpoints'), { query: { perPage: 100 } }),
  });
  // The event-type picker offers the types seen in recent events.
  const seenTypes = useQuery({
    queryKey: [projectId, 'events', 'types'],
    queryFn: () =>
      call<Paged<{ event_type: string }>>('GET', projectPath(projectId, '/events'), { query: { perPage: 100 } }),
  });
  const types = [...new Set((seenTypes.data?.content ?? []).map((event) => event.event_type))].sort();

  const [editing, setEditing] = useState<Subscription | null>(null);
  const [name, setName] = useState('');
  const [endpointId, setEndpointId] = useState('');
  const [eventTypes, setEventTypes] = useState('*');
  const [draft, setDraft] = useState<FilterDraft>(EMPTY_DRAFT);
  const [tested, setTested] = useState<boolean | null>(null);
  const base = projectPath(projectId, '/subscriptions');
  const save = useChange(projectId, (body: unknown) =>
    editing ? call('PUT', `${base}/${editing.uid}`, { body }) : call('POST', base, { body }),
  );
  const remove = useChange(projectId, (id: string) => call('DELETE', `${base}/${id}`));

  function edit(subscription: Subscription) {
    setEditing(subscription);
    setName(subscription.name);
    setEndpointId(subscription.endpoint_metadata?.uid ?? subscription.endpoint_id ?? '');
    setEventTypes(subscription.filter_config.event_types.join(', '));
    setDraft({
      ...EMPTY_DRAFT,
      body: text(subscription.filter_config.filter?.body),
      headers: text(subscription.filter_config.filter?.headers),
    });
    setTested(null);
  }

  const check = checkFilterDraft(draft);
  const hasFilter = Boolean(check.filter);
  // A filter must have passed the api's test_filter before it is saved.
  const canSave = check.problems.length === 0 && (!hasFilter || tested !== null);

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(
      {
        name,
        endpoint_id: endpointId,
        filter_config: {
          event_types: eventTypes
            .split(',')
            .map((type) => type.trim())
            .filter(Boolean),
          filter: { body: check.filter?.body ?? {}, headers: check.filter?.headers ?? {} },
        },
      },
      {
        onSuccess: () => {
          setEditing(null);
          setName('');
          setDraft(EMPTY_DRAFT);
          setTested(null);
        },
      },
    );
  }

  return (
    <section>
      <h1>Subscriptions</h1>
      <QueryState query={query} isEmpty={(page) => page.content.length === 0} empty="No subscriptions yet.">
        {(page) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Endpoint</th>
                  <th scope="col">Event types</th>
                  <th scope="col">Filter</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.content.map((subscription) => (
                  <tr key={subscription.uid}>
                    <td>{subscription.name}</td>
                    <td>{subscription.endpoint_metadata?.name ?? subscription.endpoint_id}</td>
                    <td>{subscription.filter_config.event_types.join(', ')}</td>
                    <td>
                      <code>{text(subscription.filter_config.filter?.body) || '—'}</code>
                    </td>
                    <td>
                      <button type="button" className="small" onClick={() => edit(subscription)}>
                        Edit
                      </button>
                      <button
                        type="button"
                        className="small danger"
                        onClick={() =>
                          window.confirm(`Delete subscription ${subscription.name}?`) && remove.mutate(subscription.uid)
                        }
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager pagination={page.pagination} onPage={setPage} />
          </>
        )}
      </QueryState>
      <form className="card" onSubmit={submit} aria-label={editing ? 'Edit subscription' : 'Create a subscription'}>
        <h2>{editing ? `Edit ${editing.name}` : 'New subscription'}</h2>
        <Field label="Subscription name">
          {(id) => <input id={id} required value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Endpoint">
          {(id) => (
            <select id={id} required value={endpointId} onChange={(e) => setEndpointId(e.target.value)}>
              <option value="">Choose an endpoint</option>
              {(endpoints.data?.content ?? []).map((endpoint) => (
                <option key={endpoint.uid} value={endpoint.uid}>
                  {endpoint.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Event types" hint="Comma-separated; * for every type">
          {(id) => (
            <>
              <input id={id} list={`${id}-types`} value={eventTypes} onChange={(e) => setEventTypes(e.target.value)} />
              <datalist id={`${id}-types`}>
                {types.map((type) => (
                  <option key={type} value={type} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <FilterEditor projectId={projectId} draft={draft} onChange={setDraft} onTested={setTested} />
        {hasFilter && tested === null && <p className="hint">Run “Test filter” before saving a filter.</p>}
        {save.error ? <ErrorState error={save.error} /> : null}
        <button type="submit" disabled={!canSave || save.isPending}>
          {editing ? 'Save subscription' : 'Create subscription'}
        </button>
      </form>
    </section>
  );
}
