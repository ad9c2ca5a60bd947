import { Navigate, NavLink, Outlet, Route, Routes, useNavigate, useParams } from 'react-router';
import { session } from './lib/session';
import { SignIn } from './pages/sign-in';
import { Projects, ProjectSettings } from './pages/projects';
import { Overview } from './pages/overview';
import { Endpoints } from './pages/endpoints';
import { Subscriptions } from './pages/subscriptions';
import { Sources } from './pages/sources';
import { EventDetail, Events } from './pages/events';
import { Deliveries, DeliveryDetail } from './pages/deliveries';
import { MetaEvents } from './pages/meta-events';
import { PortalLinks } from './pages/portal-links';
import {
  PortalDeliveries,
  PortalDeliveryDetail,
  PortalEndpoints,
  PortalEventDetail,
  PortalEvents,
  PortalLayout,
} from './pages/portal';

function RequireKey() {
  return session.key() ? <Outlet /> : <Navigate to="/login" replace />;
}

function SignOut() {
  const navigate = useNavigate();
  return (
    <button
      type="button"
      className="link"
      onClick={() => {
        session.clear();
        navigate('/login');
      }}
    >
      Sign out
    </button>
  );
}

function Shell() {
  return (
    <div className="shell">
      <header className="top">
        <a className="skip" href="#main">
          Skip to content
        </a>
        <NavLink to="/projects" className="brand">
          Caravan
        </NavLink>
        <SignOut />
      </header>
      <Outlet />
    </div>
  );
}

const SECTIONS = [
  ['', 'Overview'],
  ['endpoints', 'Endpoints'],
  ['subscriptions', 'Subscriptions'],
  ['sources', 'Sources'],
  ['events', 'Events'],
  ['deliveries', 'Deliveries'],
  ['meta-events', 'Meta events'],
  ['portal-links', 'Portal links'],
  ['settings', 'Settings'],
] as const;

function ProjectLayout() {
  const { projectId } = useParams();
  return (
    <div className="project">
      <nav className="sections" aria-label="Project">
        {SECTIONS.map(([path, label]) => (
          <NavLink key={path} to={`/projects/${projectId}${path ? `/${path}` : ''}`} end={path === ''}>
            {label}
          </NavLink>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<SignIn />} />
      <Route path="/portal" element={<PortalLayout />}>
        <Route index element={<Navigate to="endpoints" replace />} />
        <Route path="endpoints" element={<PortalEndpoints />} />
        <Route path="events" element={<PortalEvents />} />
        <Route path="events/:eventId" element={<PortalEventDetail />} />
        <Route path="deliveries" element={<PortalDeliveries />} />
        <Route path="deliveries/:deliveryId" element={<PortalDeliveryDetail />} />
      </Route>
      <Route element={<RequireKey />}>
        <Route element={<Shell />}>
          <Route index element={<Navigate to="/projects" replace />} />
          <Route
            path="/projects"
            element={
              <main id="main" tabIndex={-1}>
                <Projects />
              </main>
            }
          />
          <Route path="/projects/:projectId" element={<ProjectLayout />}>
            <Route index element={<Overview />} />
            <Route path="endpoints" element={<Endpoints />} />
            <Route path="subscriptions" element={<Subscriptions />} />
            <Route path="sources" element={<Sources />} />
            <Route path="events" element={<Events />} />
            <Route path="events/:eventId" element={<EventDetail />} />
            <Route path="deliveries" element={<Deliveries />} />
            <Route path="deliveries/:deliveryId" element={<DeliveryDetail />} />
            <Route path="meta-events" element={<MetaEvents />} />
            <Route path="portal-links" element={<PortalLinks />} />
            <Route path="settings" element={<ProjectSettings />} />
          </Route>
        </Route>
      </Route>
      <Route path="*" element={<Navigate to="/" replace />} />
    </Routes>
  );
}
