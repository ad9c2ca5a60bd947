import { useState } from 'react';
import { Navigate, NavLink, Outlet, useParams, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { call } from '../lib/api';
import { session } from '../lib/session';
import { useChange, usePagedList } from '../lib/hooks';
import { ErrorState, Pager, QueryState } from '../components/ui';
import { type Endpoint, EndpointActions, EndpointForm, SecretsList } from './endpoints';
import { DeliveryTable, DeliveryView, type Delivery } from './deliveries';

const PORTAL_API = '/api/v1/portal';
/** Portal queries live under their own key so an operator's cache never mixes in. */
const SCOPE = 'portal';

interface PortalInfo {
  name: string;
  owner_id: string;
  can_manage_endpoint: boolean;
}

/**
 * The portal's reduced layout. Opened as /portal?token=…: the token moves to session storage
 * and out of the address bar (so out of history and Referer headers) before anything loads.
 */
export function PortalLayout() {
  const [search] = useSearchParams();
  const token = search.get('token');
  if (token) session.setPortalToken(token);
  const info = useQuery({
    queryKey: [SCOPE, 'info'],
    queryFn: () => call<PortalInfo>('GET', PORTAL_API, { portal: true }),
    enabled: !token && Boolean(session.portalToken()),
  });
  if (token) return <Navigate to="/portal/endpoints" replace />;
  if (!session.portalToken()) {
    return (
      <main id="main" className="sign-in">
        <h1>Portal link needed</h1>
        <p>Open the portal with the link you were given.</p>
      </main>
    );
  }
  return (
    <div className="shell portal">
      <header className="top">
        <a className="skip" href="#main">
          Skip to content
        </a>
        <span className="brand">{info.data?.name ?? 'Webhooks'}</span>
        <nav aria-label="Portal">
          <NavLink to="/portal/endpoints">Endpoints</NavLink>
          <NavLink to="/portal/deliveries">Deliveries</NavLink>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {info.error ? <ErrorState error={info.error} /> : <Outlet context={info.data} />}
      </main>
    </div>
  );
}

export function PortalEndpoints() {
  const { query, setPage } = usePagedList<Endpoint>(SCOPE, 'endpoints', {}, { portal: true });
  const info = useQuery({
    queryKey: [SCOPE, 'info'],
    queryFn: () => call<PortalInfo>('GET', PORTAL_API, { portal: true }),
  });
  const [editing, setEditing] = useState<Endpoint | null>(null);
  const save = useChange(SCOPE, (body: Record<string, string>) =>
    editing
      ? call('PUT', `${PORTAL_API}/endpoints/${editing.uid}`, { body, portal: true })
      : call('POST', `${PORTAL_API}/endpoints`, { body, portal: true }),
  );
  const canManage = info.data?.can_manage_endpoint ?? false;
  return (
    <section>
      <h1>Your endpoints</h1>
      <QueryState query={query} isEmpty={(page) => page.content.length === 0} empty="No endpoints yet.">
        {(page) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">URL</th>
                  <th scope="col">Status</th>
                  <th scope="col">Secrets</th>
                  {canManage && (
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {page.content.map((endpoint) => (
                  <tr key={endpoint.uid}>
                    <td>{endpoint.name}</td>
                    <td className="wrap">{endpoint.url}</td>
                    <td>{endpoint.status}</td>
                    <td>
                      <SecretsList endpoint={endpoint} />
                    </td>
                    {canManage && (
                      <td>
                        <EndpointActions
                          endpoint={endpoint}
                          base={`${PORTAL_API}/endpoints`}
                          portal
                          onDone={() => void query.refetch()}
                        />
                        <button type="button" className="small" onClick={() => setEditing(endpoint)}>
                          Edit
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager pagination={page.pagination} onPage={setPage} />
          </>
        )}
      </QueryState>
      {canManage && (
        <EndpointForm
          key={editing?.uid ?? 'new'}
          initial={editing ?? undefined}
          withOwner={false}
          busy={save.isPending}
          error={save.error}
          onSave={(body) => save.mutate(body, { onSuccess: () => setEditing(null) })}
        />
      )}
    </section>
  );
}

export function PortalDeliveries() {
  const { query, setPage } = usePagedList<Delivery>(SCOPE, 'eventdeliveries', {}, { portal: true, live: true });
  return (
    <section>
      <h1>Your deliveries</h1>
      <QueryState query={query} isEmpty={(page) => page.content.length === 0} empty="No deliveries yet.">
        {(page) => (
          <>
            <DeliveryTable deliveries={page.content} detailBase="/portal/deliveries" />
            <Pager pagination={page.pagination} onPage={setPage} />
          </>
        )}
      </QueryState>
    </section>
  );
}

export function PortalDeliveryDetail() {
  const { deliveryId = '' } = useParams();
  return <DeliveryView base={`${PORTAL_API}/eventdeliveries`} deliveryId={deliveryId} portal />;
}
