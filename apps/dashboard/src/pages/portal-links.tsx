import { type FormEvent, useState } from 'react';
import { useParams } from 'react-router';
import { call, projectPath } from '../lib/api';
import { useChange, usePagedList } from '../lib/hooks';
import { Copy, ErrorState, Field, Pager, QueryState, Time } from '../components/ui';

interface PortalLink {
  uid: string;
  name: string;
  owner_id: string;
  endpoint_count: number;
  can_manage_endpoint: boolean;
  url: string;
  created_at: string;
}

export function PortalLinks() {
  const { projectId = '' } = useParams();
  const { query, setPage } = usePagedList<PortalLink>(projectId, 'portal-links');
  const base = projectPath(projectId, '/portal-links');
  const [name, setName] = useState('');
  const [owner, setOwner] = useState('');
  const [manage, setManage] = useState(true);
  const [url, setUrl] = useState('');
  const create = useChange(projectId, (body: unknown) => call<PortalLink>('POST', base, { body }));
  const revoke = useChange(projectId, (id: string) => call('PUT', `${base}/${id}/revoke`));
  const refresh = useChange(projectId, (id: string) => call<string>('GET', `${base}/${id}/refresh_token`));

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name, owner_id: owner, can_manage_endpoint: manage }, { onSuccess: (link) => setUrl(link.url) });
  }

  return (
    <section>
      <h1>Portal links</h1>
      <p className="hint">A customer&apos;s own view of its endpoints and deliveries, opened by an unguessable link.</p>
      {url && (
        <p className="secret-once" role="status">
          Portal URL, shown once: <a href={url}>{url}</a> <Copy text={url} label="Copy the portal URL" />
        </p>
      )}
      <QueryState query={query} isEmpty={(page) => page.content.length === 0} empty="No portal links.">
        {(page) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Endpoints</th>
                  <th scope="col">Can manage</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.content.map((link) => (
                  <tr key={link.uid}>
                    <td>{link.name}</td>
                    <td>{link.owner_id || '—'}</td>
                    <td>{link.endpoint_count}</td>
                    <td>{link.can_manage_endpoint ? 'yes' : 'no'}</td>
                    <td>
                      <Time value={link.created_at} />
                    </td>
                    <td>
                      <button
                        type="button"
                        className="small"
                        onClick={() =>
                          refresh.mutate(link.uid, {
                            onSuccess: (token) =>
                              setUrl(`${window.location.origin}/portal?token=${encodeURIComponent(token)}`),
                          })
                        }
                      >
                        New URL
                      </button>
                      <button
                        type="button"
                        className="small danger"
                        onClick={() => window.confirm(`Revoke portal link ${link.name}?`) && revoke.mutate(link.uid)}
                      >
                        Revoke
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
      {revoke.error || refresh.error ? <ErrorState error={revoke.error ?? refresh.error} /> : null}
      <form className="card" onSubmit={submit} aria-label="Create a portal link">
        <h2>New portal link</h2>
        <Field label="Link name">
          {(id) => <input id={id} required value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Owner ID" hint="The link covers every endpoint with this owner ID">
          {(id) => <input id={id} required value={owner} onChange={(e) => setOwner(e.target.value)} />}
        </Field>
        <label className="check">
          <input type="checkbox" checked={manage} onChange={(e) => setManage(e.target.checked)} /> The customer can
          manage endpoints
        </label>
        {create.error ? <ErrorState error={create.error} /> : null}
        <button type="submit" disabled={create.isPending}>
          Create portal link
        </button>
      </form>
    </section>
  );
}
