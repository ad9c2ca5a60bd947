import { useState } from 'react';
import { useParams } from 'react-router';
import { call, projectPath } from '../lib/api';
import { useChange, usePagedList } from '../lib/hooks';
import { type Column, DataTable } from '../components/data-table';
import { Form, TextField } from '../components/form';
import { ErrorState, RowButton, Time } from '../components/ui';

export interface Endpoint {
  uid: string;
  name: string;
  url: string;
  owner_id: string;
  description?: string;
  status: string;
  cb_state: string;
  secrets: Array<{ uid: string; value: string; created_at: string; expires_at: string | null }>;
  created_at: string;
}

/** Create or edit an endpoint (the same form serves the portal, without the owner field). */
export function EndpointForm({
  initial,
  withOwner = true,
  onSave,
  error,
  busy,
}: {
  initial?: Endpoint;
  withOwner?: boolean;
  onSave: (body: Record<string, string>) => void;
  error: unknown;
  busy: boolean;
}) {
  const [name, setName] = useState(initial?.name ?? '');
  const [url, setUrl] = useState(initial?.url ?? '');
  const [owner, setOwner] = useState(initial?.owner_id ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  return (
    <Form
      label={initial ? `Edit endpoint ${initial.name}` : 'Create an endpoint'}
      title={initial ? `Edit ${initial.name}` : 'New endpoint'}
      submit={initial ? 'Save endpoint' : 'Create endpoint'}
      busy={busy}
      error={error}
      onSubmit={() => onSave({ name, url, description, ...(withOwner ? { owner_id: owner } : {}) })}
    >
      <TextField label="Endpoint name" name="name" required value={name} onChange={setName} />
      <TextField label="Endpoint URL" name="url" type="url" required value={url} onChange={setUrl} />
      {withOwner && (
        <TextField
          label="Owner ID"
          name="owner_id"
          hint="Groups endpoints for fan-out and portal links"
          value={owner}
          onChange={setOwner}
        />
      )}
      <TextField label="Description" name="description" value={description} onChange={setDescription} />
    </Form>
  );
}

/** The endpoint actions both the operator and the portal have: pause/activate, rotate secret. */
export function EndpointActions({
  endpoint,
  base,
  portal = false,
  onDone,
}: {
  endpoint: Endpoint;
  base: string;
  portal?: boolean;
  onDone: () => void;
}) {
  const [error, setError] = useState<unknown>(null);
  const run = async (method: string, path: string, body?: unknown) => {
    setError(null);
    try {
      await call(method, `${base}/${endpoint.uid}${path}`, { body, portal });
      onDone();
    } catch (caught) {
      setError(caught);
    }
  };
  const paused = endpoint.status === 'paused';
  return (
    <div className="actions">
      {paused || endpoint.status === 'inactive' ? (
        <button type="button" className="small" onClick={() => void run('POST', '/activate')}>
          Activate
        </button>
      ) : (
        <button type="button" className="small" onClick={() => void run('PUT', '/pause')}>
          Pause
        </button>
      )}
      <button
        type="button"
        className="small"
        onClick={() => {
          const hours = window.prompt('Keep signing with the current secret for how many hours (0 = stop now)?', '24');
          if (hours !== null) void run('PUT', '/expire_secret', { expiration: Math.round(Number(hours) * 3600) });
        }}
      >
        Rotate secret
      </button>
      {error ? <ErrorState error={error} /> : null}
    </div>
  );
}

export function SecretsList({ endpoint }: { endpoint: Endpoint }) {
  return (
    <ul className="plain secrets" aria-label={`Secrets of ${endpoint.name}`}>
      {endpoint.secrets.map((secret) => (
        <li key={secret.uid}>
          <code>{secret.value.slice(0, 6)}…</code>{' '}
          {secret.expires_at ? (
            <>
              expires <Time value={secret.expires_at} /> (overlap)
            </>
          ) : (
            'current'
          )}
        </li>
      ))}
    </ul>
  );
}

/** The columns the operator's and the portal's endpoint tables share. */
export const ENDPOINT_COLUMNS: Record<'name' | 'url' | 'status' | 'secrets', Column<Endpoint>> = {
  name: { header: 'Name', cell: (endpoint) => endpoint.name },
  url: { header: 'URL', className: 'wrap', cell: (endpoint) => endpoint.url },
  status: { header: 'Status', cell: (endpoint) => endpoint.status },
  secrets: { header: 'Secrets', cell: (endpoint) => <SecretsList endpoint={endpoint} /> },
};

export function Endpoints() {
  const { projectId = '' } = useParams();
  const [q, setQ] = useState('');
  const { query, setPage } = usePagedList<Endpoint>(projectId, 'endpoints', { q });
  const [editing, setEditing] = useState<Endpoint | null>(null);
  const base = projectPath(projectId, '/endpoints');
  const save = useChange(projectId, (body: Record<string, string>) =>
    editing ? call('PUT', `${base}/${editing.uid}`, { body }) : call('POST', base, { body }),
  );
  const remove = useChange(projectId, (id: string) => call('DELETE', `${base}/${id}`));

  return (
    <section>
      <h1>Endpoints</h1>
      <div className="toolbar">
        <TextField label="Search by name" type="search" value={q} onChange={setQ} />
      </div>
      <DataTable
        query={query}
        onPage={setPage}
        rowKey={(endpoint) => endpoint.uid}
        empty="No endpoints match."
        columns={[
          ENDPOINT_COLUMNS.name,
          ENDPOINT_COLUMNS.url,
          { header: 'Owner', cell: (endpoint) => endpoint.owner_id },
          ENDPOINT_COLUMNS.status,
          {
            header: 'Breaker',
            cell: (endpoint) => <span className={`breaker ${endpoint.cb_state}`}>{endpoint.cb_state}</span>,
          },
          ENDPOINT_COLUMNS.secrets,
          {
            header: 'Actions',
            srOnly: true,
            cell: (endpoint) => (
              <>
                <EndpointActions endpoint={endpoint} base={base} onDone={() => void query.refetch()} />
                <RowButton onClick={() => setEditing(endpoint)}>Edit</RowButton>
                <RowButton
                  confirm={`Delete endpoint ${endpoint.name} and its subscriptions?`}
                  onClick={() => remove.mutate(endpoint.uid)}
                >
                  Delete
                </RowButton>
              </>
            ),
          },
        ]}
      />
      {remove.error ? <ErrorState error={remove.error} /> : null}
      <EndpointForm
        key={editing?.uid ?? 'new'}
        initial={editing ?? undefined}
        busy={save.isPending}
        error={save.error}
        onSave={(body) => save.mutate(body, { onSuccess: () => setEditing(null) })}
      />
    </section>
  );
}
