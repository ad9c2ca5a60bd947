import { useState } from 'react';
import { Link, Navigate, NavLink, Outlet, useParams, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { call } from '../lib/api';
import { session } from '../lib/session';
import { useChange, usePagedList } from '../lib/hooks';
import { DataTable } from '../components/data-table';
import { ErrorState, RowButton } from '../components/ui';
import { type Endpoint, ENDPOINT_COLUMNS, EndpointActions, EndpointForm } from './endpoints';
import { DeliveryTable, DeliveryView, type Delivery } from './deliveries';
import { EventTable, EventView, type EventRow } from './events';

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
          <NavLink to="/portal/events">Events</NavLink>
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
      <DataTable
        query={query}
        onPage={setPage}
        rowKey={(endpoint) => endpoint.uid}
        empty="No endpoints yet."
        columns={[
          ENDPOINT_COLUMNS.name,
          ENDPOINT_COLUMNS.url,
          ENDPOINT_COLUMNS.status,
          ENDPOINT_COLUMNS.secrets,
          canManage && {
            header: 'Actions',
            srOnly: true,
            cell: (endpoint) => (
              <>
                <EndpointActions
                  endpoint={endpoint}
                  base={`${PORTAL_API}/endpoints`}
                  portal
                  onDone={() => void query.refetch()}
                />
                <RowButton onClick={() => setEditing(endpoint)}>Edit</RowButton>
              </>
            ),
          },
        ]}
      />
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
      <DeliveryTable query={query} onPage={setPage} empty="No deliveries yet." detailBase="/portal/deliveries" />
    </section>
  );
}

export function PortalEvents() {
  const { query, setPage } = usePagedList<EventRow>(SCOPE, 'events', {}, { portal: true, live: true });
  return (
    <section>
      <h1>Your events</h1>
      <EventTable query={query} onPage={setPage} detailBase="/portal/events" />
    </section>
  );
}

/** One of the owner's events; another owner's event id is refused by the api (404). */
export function PortalEventDetail() {
  const { eventId = '' } = useParams();
  return (
    <>
      <Link to="/portal/events">← Events</Link>
      <EventView
        scope={SCOPE}
        portal
        eventPath={`${PORTAL_API}/events/${eventId}`}
        deliveriesPath={`${PORTAL_API}/eventdeliveries`}
        deliveryBase="/portal/deliveries"
      />
    </>
  );
}

export function PortalDeliveryDetail() {
  const { deliveryId = '' } = useParams();
  return <DeliveryView base={`${PORTAL_API}/eventdeliveries`} deliveryId={deliveryId} portal />;
}
