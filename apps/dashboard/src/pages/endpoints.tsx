import { type FormEvent, useState } from 'react';
import { useParams } from 'react-router';
import { call, projectPath } from '../lib/api';
import { useChange, usePagedList } from '../lib/hooks';
import { ErrorState, Field, Pager, QueryState, Time } from '../components/ui';

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
  function submit(event: FormEvent) {
    event.preventDefault();
    onSave({ name, url, description, ...(withOwner ? { owner_id: owner } : {}) });
  }
  return (
    <form
      className="card"
      onSubmit={submit}
      aria-label={initial ? `Edit endpoint ${initial.name}` : 'Create an endpoint'}
    >
      <h2>{initial ? `Edit ${initial.name}` : 'New endpoint'}</h2>
      <Field label="Endpoint name">
        {(id) => <input id={id} required value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Endpoint URL">
        {(id) => <input id={id} type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />}
      </Field>
      {withOwner && (
        <Field label="Owner ID" hint="Groups endpoints for fan-out and portal links">
          {(id) => <input id={id} value={owner} onChange={(e) => setOwner(e.target.value)} />}
        </Field>
      )}
      <Field label="Description">
        {(id) => <input id={id} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      {Boolean(error) && <ErrorState error={error} />}
      <button type="submit" disabled={busy}>
        {initial ? 'Save endpoint' : 'Create endpoint'}
      </button>
    </form>
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
        <Field label="Search by name">
          {(id) => <input id={id} type="search" value={q} onChange={(e) => setQ(e.target.value)} />}
        </Field>
      </div>
      <QueryState query={query} isEmpty={(page) => page.content.length === 0} empty="No endpoints match.">
        {(page) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">URL</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Status</th>
                  <th scope="col">Breaker</th>
                  <th scope="col">Secrets</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.content.map((endpoint) => (
                  <tr key={endpoint.uid}>
                    <td>{endpoint.name}</td>
                    <td className="wrap">{endpoint.url}</td>
                    <td>{endpoint.owner_id}</td>
                    <td>{endpoint.status}</td>
                    <td>
                      <span className={`breaker ${endpoint.cb_state}`}>{endpoint.cb_state}</span>
                    </td>
                    <td>
                      <SecretsList endpoint={endpoint} />
                    </td>
                    <td>
                      <EndpointActions endpoint={endpoint} base={base} onDone={() => void query.refetch()} />
                      <button type="button" className="small" onClick={() => setEditing(endpoint)}>
                        Edit
                      </button>
                      <button
                        type="button"
                        className="small danger"
                        onClick={() =>
                          window.confirm(`Delete endpoint ${endpoint.name} and its subscriptions?`) &&
                          remove.mutate(endpoint.uid)
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
