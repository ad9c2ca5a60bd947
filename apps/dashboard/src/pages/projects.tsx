import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { call, projectPath } from '../lib/api';
import { useChange } from '../lib/hooks';
import { ErrorState, Field, QueryState, Time } from '../components/ui';

interface Project {
  uid: string;
  name: string;
  type: string;
  config: Record<string, unknown>;
  created_at: string;
}

interface ApiKey {
  uid: string;
  name: string;
  key: string;
  expires_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

export function Projects() {
  const projects = useQuery({ queryKey: ['projects'], queryFn: () => call<Project[]>('GET', '/api/v1/projects') });
  const [name, setName] = useState('');
  const [type, setType] = useState('outgoing');
  const [created, setCreated] = useState<{ key: string; project: string } | null>(null);
  const create = useChange('projects', (body: { name: string; type: string }) =>
    call<{ project: Project; api_key: { key: string } }>('POST', '/api/v1/projects', { body }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate(
      { name, type },
      {
        onSuccess: (data) => {
          setCreated({ key: data.api_key.key, project: data.project.name });
          setName('');
          void projects.refetch();
        },
      },
    );
  }

  return (
    <section>
      <h1>Projects</h1>
      <QueryState query={projects} isEmpty={(list) => list.length === 0} empty="No projects yet: create the first one.">
        {(list) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.map((project) => (
                <tr key={project.uid}>
                  <td>
                    <Link to={`/projects/${project.uid}`}>{project.name}</Link>
                  </td>
                  <td>{project.type}</td>
                  <td>
                    <Time value={project.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
      <form onSubmit={submit} aria-label="Create a project" className="card">
        <h2>Create a project</h2>
        <p className="hint">Needs the instance admin key.</p>
        <Field label="Project name">
          {(id) => <input id={id} required value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Type">
          {(id) => (
            <select id={id} value={type} onChange={(e) => setType(e.target.value)}>
              <option value="outgoing">outgoing</option>
              <option value="incoming">incoming</option>
            </select>
          )}
        </Field>
        <button type="submit" disabled={create.isPending}>
          Create
        </button>
        {create.error && <ErrorState error={create.error} />}
        {created && (
          <p className="secret-once" role="status">
            Project {created.project} created. Its API key, shown once: <code>{created.key}</code>
          </p>
        )}
      </form>
    </section>
  );
}

/** Settings (the whole project config as JSON, validated by the api) and API keys. */
export function ProjectSettings() {
  const { projectId = '' } = useParams();
  const project = useQuery({
    queryKey: [projectId, 'project'],
    queryFn: () => call<Project>('GET', projectPath(projectId)),
  });
  const keys = useQuery({
    queryKey: [projectId, 'keys'],
    queryFn: () => call<ApiKey[]>('GET', projectPath(projectId, '/keys')),
  });
  const [config, setConfig] = useState<string | null>(null);
  const [keyName, setKeyName] = useState('');
  const [newKey, setNewKey] = useState('');
  const save = useChange(projectId, (body: unknown) => call('PUT', projectPath(projectId), { body }));
  const createKey = useChange(projectId, (name: string) =>
    call<{ key: string }>('POST', projectPath(projectId, '/keys'), { body: { name } }),
  );
  const revoke = useChange(projectId, (id: string) => call('DELETE', projectPath(projectId, `/keys/${id}`)));
  const [parseError, setParseError] = useState('');

  return (
    <section>
      <h1>Settings</h1>
      <QueryState query={project}>
        {(data) => (
          <form
            className="card"
            aria-label="Project settings"
            onSubmit={(event) => {
              event.preventDefault();
              try {
                const parsed = JSON.parse(config ?? JSON.stringify(data.config));
                setParseError('');
                // The meta-event secret is shown masked; sending the mask back would replace it.
                if (parsed.meta_event?.secret === '********') delete parsed.meta_event.secret;
                save.mutate({ name: data.name, config: parsed });
              } catch (error) {
                setParseError(`config: not valid JSON (${(error as Error).message})`);
              }
            }}
          >
            <p className="hint">
              Retry strategy, signature, rate limit, meta events, retention (<code>retention_policy</code>) and the rest
              of Convoy&apos;s project config.
            </p>
            <Field label="Project config (JSON)">
              {(id) => (
                <textarea
                  id={id}
                  rows={18}
                  spellCheck={false}
                  value={config ?? JSON.stringify(data.config, null, 2)}
                  onChange={(e) => setConfig(e.target.value)}
                />
              )}
            </Field>
            {parseError && <p className="error">{parseError}</p>}
            {save.error && <ErrorState error={save.error} />}
            {save.isSuccess && <p role="status">Saved.</p>}
            <button type="submit" disabled={save.isPending}>
              Save settings
            </button>
          </form>
        )}
      </QueryState>
      <h2>API keys</h2>
      <QueryState query={keys} isEmpty={(list) => list.length === 0} empty="No keys.">
        {(list) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Created</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((key) => (
                <tr key={key.uid}>
                  <td>{key.name}</td>
                  <td>
                    <code>{key.key}</code>
                  </td>
                  <td>
                    <Time value={key.created_at} />
                  </td>
                  <td>{key.revoked_at ? 'revoked' : 'active'}</td>
                  <td>
                    {!key.revoked_at && (
                      <button
                        type="button"
                        className="danger small"
                        onClick={() => window.confirm(`Revoke key ${key.name}?`) && revoke.mutate(key.uid)}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
      <form
        className="card"
        aria-label="Create an API key"
        onSubmit={(event) => {
          event.preventDefault();
          createKey.mutate(keyName, { onSuccess: (data) => setNewKey(data.key) });
        }}
      >
        <Field label="Key name">
          {(id) => <input id={id} required value={keyName} onChange={(e) => setKeyName(e.target.value)} />}
        </Field>
        <button type="submit">Create key</button>
        {createKey.error && <ErrorState error={createKey.error} />}
        {newKey && (
          <p className="secret-once" role="status">
            The new key, shown once: <code>{newKey}</code>
          </p>
        )}
      </form>
    </section>
  );
}
