import { useState } from 'react';
import { useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { call, type Paged, projectPath } from '../lib/api';
import { chooseEventType } from '../lib/event-type-choice';
import { checkFilterDraft, type FilterDraft } from '../lib/filter-editor';
import { useChange, usePagedList } from '../lib/hooks';
import { FilterEditor } from '../components/filter-editor';
import { DataTable } from '../components/data-table';
import { CheckboxField, Form, SelectField, TextField } from '../components/form';
import { ErrorState, RowButton } from '../components/ui';
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

interface EventType {
  uid: string;
  name: string;
  description: string;
  deprecated_at: string | null;
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
  // The event-type picker offers the project's catalogue (deprecated types only when already chosen).
  const catalogue = useQuery({
    queryKey: [projectId, 'event-types'],
    queryFn: () => call<EventType[]>('GET', projectPath(projectId, '/event-types')),
  });

  const [editing, setEditing] = useState<Subscription | null>(null);
  const [name, setName] = useState('');
  const [endpointId, setEndpointId] = useState('');
  const [eventTypes, setEventTypes] = useState<string[]>(['*']);
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
    setEventTypes(subscription.filter_config.event_types);
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

  function submit() {
    save.mutate(
      {
        name,
        endpoint_id: endpointId,
        filter_config: {
          event_types: eventTypes,
          filter: { body: check.filter?.body ?? {}, headers: check.filter?.headers ?? {} },
        },
      },
      {
        onSuccess: () => {
          setEditing(null);
          setName('');
          setEventTypes(['*']);
          setDraft(EMPTY_DRAFT);
          setTested(null);
        },
      },
    );
  }

  return (
    <section>
      <h1>Subscriptions</h1>
      <DataTable
        query={query}
        onPage={setPage}
        rowKey={(subscription) => subscription.uid}
        empty="No subscriptions yet."
        columns={[
          { header: 'Name', cell: (subscription) => subscription.name },
          {
            header: 'Endpoint',
            cell: (subscription) => subscription.endpoint_metadata?.name ?? subscription.endpoint_id,
          },
          { header: 'Event types', cell: (subscription) => subscription.filter_config.event_types.join(', ') },
          {
            header: 'Filter',
            cell: (subscription) => <code>{text(subscription.filter_config.filter?.body) || '—'}</code>,
          },
          {
            header: 'Actions',
            srOnly: true,
            cell: (subscription) => (
              <>
                <RowButton onClick={() => edit(subscription)}>Edit</RowButton>
                <RowButton
                  confirm={`Delete subscription ${subscription.name}?`}
                  onClick={() => remove.mutate(subscription.uid)}
                >
                  Delete
                </RowButton>
              </>
            ),
          },
        ]}
      />
      {remove.error ? <ErrorState error={remove.error} /> : null}
      <Form
        label={editing ? 'Edit subscription' : 'Create a subscription'}
        title={editing ? `Edit ${editing.name}` : 'New subscription'}
        submit={editing ? 'Save subscription' : 'Create subscription'}
        busy={save.isPending}
        disabled={!canSave}
        error={save.error}
        onSubmit={submit}
      >
        <TextField label="Subscription name" name="name" required value={name} onChange={setName} />
        <SelectField
          label="Endpoint"
          name="endpoint_id"
          required
          value={endpointId}
          onChange={setEndpointId}
          options={[
            ['', 'Choose an endpoint'],
            ...(endpoints.data?.content ?? []).map((endpoint) => [endpoint.uid, endpoint.name] as const),
          ]}
        />
        <EventTypePicker
          catalogue={catalogue.data ?? []}
          loading={catalogue.isPending}
          chosen={eventTypes}
          onChange={setEventTypes}
        />
        <FilterEditor projectId={projectId} draft={draft} onChange={setDraft} onTested={setTested} />
        {hasFilter && tested === null && <p className="hint">Run “Test filter” before saving a filter.</p>}
      </Form>
    </section>
  );
}

/**
 * The event types of the project's catalogue (the /event-types routes), as checkboxes; "*"
 * means every type. A type chosen earlier but since removed from the catalogue stays listed.
 */
function EventTypePicker({
  catalogue,
  loading,
  chosen,
  onChange,
}: {
  catalogue: EventType[];
  loading: boolean;
  chosen: string[];
  onChange: (types: string[]) => void;
}) {
  const offered = catalogue.filter((type) => !type.deprecated_at || chosen.includes(type.name));
  const extra = chosen.filter((name) => name !== '*' && !offered.some((type) => type.name === name));
  const all = chosen.includes('*');
  const toggle = (name: string, checked: boolean) => onChange(chooseEventType(chosen, name, checked));
  return (
    <fieldset className="choices" aria-label="Event types">
      <legend>Event types</legend>
      <CheckboxField
        label="All event types (*)"
        name="filter_config.event_types"
        checked={all}
        onChange={(checked) => toggle('*', checked)}
      />
      {loading && <p className="hint">Loading the event-type catalogue…</p>}
      {!loading && offered.length === 0 && (
        <p className="hint">
          The project&apos;s event-type catalogue is empty: add types through the /event-types API.
        </p>
      )}
      {offered.map((type) => (
        <CheckboxField
          key={type.uid}
          label={type.description ? `${type.name} — ${type.description}` : type.name}
          checked={chosen.includes(type.name)}
          onChange={(checked) => toggle(type.name, checked)}
        />
      ))}
      {extra.map((name) => (
        <CheckboxField
          key={name}
          label={`${name} (not in the catalogue)`}
          checked
          onChange={(checked) => toggle(name, checked)}
        />
      ))}
    </fieldset>
  );
}
