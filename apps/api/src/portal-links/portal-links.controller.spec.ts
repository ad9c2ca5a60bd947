import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryStatus } from '@caravan/domain';
import { ApiHarness, startApiHarness } from '../testing/api-harness';
import { EventFixtures } from '../testing/event-fixtures.helper';

describe('portal links and the customer portal (HTTP, real Postgres and Kafka)', () => {
  jest.setTimeout(60_000);
  let api: ApiHarness;
  let fixtures: EventFixtures;

  beforeAll(async () => {
    api = await startApiHarness();
    fixtures = new EventFixtures(api.app);
  });

  afterAll(async () => {
    await api?.close();
  });

  /** A project with two owners' endpoints, one event and a delivery to each endpoint. */
  async function world() {
    const { projectId, apiKey } = await api.createProject();
    const mine = await fixtures.endpoint(projectId, { ownerId: 'acme', name: 'acme-hooks' });
    const theirs = await fixtures.endpoint(projectId, { ownerId: 'globex', name: 'globex-hooks' });
    const event = await api.request('POST', `/api/v1/projects/${projectId}/events`, {
      key: apiKey,
      body: { endpoint_id: mine.id, event_type: 'invoice.paid', data: { amount: 5 } },
    });
    const eventId = event.body.data.uid as string;
    const myDelivery = await fixtures.delivery(projectId, eventId, mine.id, DeliveryStatus.Failure);
    const theirDelivery = await fixtures.delivery(projectId, eventId, theirs.id, DeliveryStatus.Failure);
    const links = (method: string, path: string, body?: unknown, key: string = apiKey) =>
      api.request(method, `/api/v1/projects/${projectId}/portal-links${path}`, { key, body });
    return { projectId, apiKey, mine, theirs, eventId, myDelivery, theirDelivery, links };
  }

  const portal = (token: string, method: string, path: string, body?: unknown) =>
    api.request(method, `/api/v1/portal${path}`, { key: token, body });

  it('creates a link with a one-time token and URL, stores only its hash, lists, gets and updates it', async () => {
    const w = await world();
    const created = await w.links('POST', '', { name: 'Acme', owner_id: 'acme', can_manage_endpoint: true });
    expect(created.status).toBe(201);
    const link = created.body.data;
    expect(link).toMatchObject({
      name: 'Acme',
      owner_id: 'acme',
      project_id: w.projectId,
      can_manage_endpoint: true,
      auth_type: 'static_token',
      endpoint_count: 1,
    });
    expect(link.endpoints_metadata.map((e: { uid: string }) => e.uid)).toEqual([w.mine.id]);
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(link.url).toBe(`${api.config.api.publicUrl}/portal?token=${link.token}`);
    const [row] = await api.database.dataSource.query('SELECT token_hash FROM portal_links WHERE id = $1', [link.uid]);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(link.token);

    const fetched = await w.links('GET', `/${link.uid}`);
    expect(fetched.body.data).toMatchObject({ uid: link.uid, token: '', url: '' });
    const listed = await w.links('GET', '?ownerId=acme');
    expect(listed.body.data.content.map((l: { uid: string }) => l.uid)).toEqual([link.uid]);
    expect(listed.body.data.pagination).toMatchObject({ has_next_page: false });

    const updated = await w.links('PUT', `/${link.uid}`, { name: 'Acme Inc', endpoints: [w.theirs.id] });
    expect(updated.status).toBe(202);
    expect(updated.body.data).toMatchObject({ name: 'Acme Inc', endpoint_count: 2, endpoints: [w.theirs.id] });
  });

  it('refuses a link without owner or endpoints, unknown endpoints and a bad auth_type, naming the field', async () => {
    const w = await world();
    const none = await w.links('POST', '', { name: 'x', owner_id: '' });
    expect(none.status).toBe(400);
    expect(none.body.errors[0].field).toBe('owner_id');
    const unknown = await w.links('POST', '', { owner_id: 'acme', endpoints: ['01J0000000000000000000FAKE'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('endpoints');
    const badType = await w.links('POST', '', { owner_id: 'acme', auth_type: 'cookie' });
    expect(badType.status).toBe(400);
    expect(badType.body.errors[0].field).toBe('auth_type');
  });

  it("is tenant-scoped: another project's key gets 403, its own routes 404 for these ids", async () => {
    const w = await world();
    const link = (await w.links('POST', '', { owner_id: 'acme' })).body.data;
    const other = await api.createProject();
    expect((await w.links('GET', `/${link.uid}`, undefined, other.apiKey)).status).toBe(403);
    const foreign = await api.request('GET', `/api/v1/projects/${other.projectId}/portal-links/${link.uid}`, {
      key: other.apiKey,
    });
    expect(foreign.status).toBe(404);
    const endpointsElsewhere = await api.request('POST', `/api/v1/projects/${other.projectId}/portal-links`, {
      key: other.apiKey,
      body: { endpoints: [w.mine.id] },
    });
    expect(endpointsElsewhere.status).toBe(400);
  });

  it("lets a token see and manage only its owner's endpoints and deliveries", async () => {
    const w = await world();
    const token = (await w.links('POST', '', { owner_id: 'acme', can_manage_endpoint: true })).body.data.token;

    expect((await portal(token, 'GET', '')).body.data).toMatchObject({ owner_id: 'acme', can_manage_endpoint: true });
    const endpoints = await portal(token, 'GET', '/endpoints');
    expect(endpoints.body.data.content.map((e: { uid: string }) => e.uid)).toEqual([w.mine.id]);
    const deliveries = await portal(token, 'GET', '/eventdeliveries');
    expect(deliveries.body.data.content.map((d: { uid: string }) => d.uid)).toEqual([w.myDelivery]);
    // Naming the other owner's endpoint in the filter only narrows: nothing comes back.
    const narrowed = await portal(token, 'GET', `/eventdeliveries?endpointId=${w.theirs.id}`);
    expect(narrowed.body.data.content).toEqual([]);

    // Every route refuses the other owner's ids as if they did not exist.
    for (const [method, path] of [
      ['GET', `/endpoints/${w.theirs.id}`],
      ['PUT', `/endpoints/${w.theirs.id}/pause`],
      ['GET', `/eventdeliveries/${w.theirDelivery}`],
      ['GET', `/eventdeliveries/${w.theirDelivery}/deliveryattempts`],
      ['PUT', `/eventdeliveries/${w.theirDelivery}/resend`],
    ] as const) {
      expect([method, path, (await portal(token, method, path)).status]).toEqual([method, path, 404]);
    }
    const update = await portal(token, 'PUT', `/endpoints/${w.theirs.id}`, { name: 'taken' });
    expect(update.status).toBe(404);
    const force = await portal(token, 'POST', '/eventdeliveries/forceresend', { ids: [w.theirDelivery] });
    expect(force.body.data).toEqual({ num_success: 0, num_failure: 1 });
    const [theirRow] = await api.database.dataSource.query('SELECT name, status FROM endpoints WHERE id = $1', [
      w.theirs.id,
    ]);
    expect(theirRow).toEqual({ name: 'globex-hooks', status: 'active' });

    // Its own: detail, attempts, retry, edit, pause, rotate, create (owned by the link's owner).
    expect((await portal(token, 'GET', `/eventdeliveries/${w.myDelivery}`)).body.data.uid).toBe(w.myDelivery);
    expect((await portal(token, 'PUT', `/eventdeliveries/${w.myDelivery}/resend`)).status).toBe(200);
    expect((await portal(token, 'PUT', `/endpoints/${w.mine.id}`, { name: 'renamed' })).body.data.name).toBe('renamed');
    expect((await portal(token, 'PUT', `/endpoints/${w.mine.id}/pause`)).body.data.status).toBe('paused');
    const rotated = await portal(token, 'PUT', `/endpoints/${w.mine.id}/expire_secret`, { expiration: 60 });
    expect(rotated.body.data.secrets).toHaveLength(2);
    const created = await portal(token, 'POST', '/endpoints', {
      name: 'new',
      url: 'https://example.com/new',
      owner_id: 'globex',
    });
    expect(created.status).toBe(400); // owner_id is not the customer's to choose
    const made = await portal(token, 'POST', '/endpoints', { name: 'new', url: 'https://example.com/new' });
    expect(made.status).toBe(201);
    expect(made.body.data.owner_id).toBe('acme');
  });

  it("lists and shows only its owner's events, with only its endpoints; another owner's event id is refused", async () => {
    const w = await world();
    const token = (await w.links('POST', '', { owner_id: 'acme' })).body.data.token;
    const send = async (endpointId: string, eventType: string, data: string) => {
      const sent = await fetch(`${api.url}/api/v1/projects/${w.projectId}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${w.apiKey}`, 'content-type': 'application/json' },
        body: `{"endpoint_id":"${endpointId}","event_type":"${eventType}","data":${data}}`,
      });
      return ((await sent.json()) as { data: { uid: string } }).data.uid;
    };
    const theirEvent = await send(w.theirs.id, 'invoice.voided', '{"owner": "globex"}');
    // The exact bytes are kept: spacing and key order as sent.
    const myEvent = await send(w.mine.id, 'invoice.sent', '{ "b":1,  "a":[2] }');
    // A broadcast-like event routed to both owners' endpoints: the portal shows only acme's side.
    await api.database.dataSource.query('UPDATE events SET endpoint_ids = $2 WHERE id = $1', [
      w.eventId,
      [w.mine.id, w.theirs.id].sort(),
    ]);

    const listed = await portal(token, 'GET', '/events');
    expect(listed.status).toBe(200);
    const uids = listed.body.data.content.map((e: { uid: string }) => e.uid);
    expect([...uids].sort()).toEqual([w.eventId, myEvent].sort());
    const shared = listed.body.data.content.find((e: { uid: string }) => e.uid === w.eventId);
    expect(shared.endpoints).toEqual([w.mine.id]);
    expect(shared.endpoint_metadata.map((e: { uid: string }) => e.uid)).toEqual([w.mine.id]);
    expect(JSON.stringify(listed.body.data)).not.toContain(w.theirs.id);
    // Filters narrow within the link's endpoints only.
    expect((await portal(token, 'GET', `/events?endpointId=${w.theirs.id}`)).body.data.content).toEqual([]);
    const searched = await portal(token, 'GET', '/events?query=invoice.sent');
    expect(searched.body.data.content.map((e: { uid: string }) => e.uid)).toEqual([myEvent]);

    const mine = await portal(token, 'GET', `/events/${myEvent}`);
    expect(mine.status).toBe(200);
    expect(mine.body.data).toMatchObject({ uid: myEvent, raw: '{ "b":1,  "a":[2] }', data: { b: 1, a: [2] } });
    const theirs = await portal(token, 'GET', `/events/${theirEvent}`);
    expect(theirs.status).toBe(404);
    expect(theirs.body.message).toBe(`event ${theirEvent} not found`);
    expect((await portal(token, 'GET', '/events/01J0000000000000000000FAKE')).status).toBe(404);

    // An event's deliveries: only those to the link's endpoints.
    const deliveries = await portal(token, 'GET', `/eventdeliveries?eventId=${w.eventId}`);
    expect(deliveries.body.data.content.map((d: { uid: string }) => d.uid)).toEqual([w.myDelivery]);
    const theirDeliveries = await portal(token, 'GET', `/eventdeliveries?eventId=${theirEvent}`);
    expect(theirDeliveries.body.data.content).toEqual([]);
    // Without a token, or with the project's key, nothing.
    expect((await api.request('GET', '/api/v1/portal/events', { key: null })).status).toBe(401);
    expect((await portal(w.apiKey, 'GET', `/events/${myEvent}`)).status).toBe(401);
  });

  it('a link listing endpoints covers exactly those; one that cannot manage endpoints gets 403 on changes', async () => {
    const w = await world();
    const token = (await w.links('POST', '', { endpoints: [w.theirs.id] })).body.data.token;
    const endpoints = await portal(token, 'GET', '/endpoints');
    expect(endpoints.body.data.content.map((e: { uid: string }) => e.uid)).toEqual([w.theirs.id]);
    expect((await portal(token, 'GET', `/eventdeliveries/${w.myDelivery}`)).status).toBe(404);
    expect((await portal(token, 'PUT', `/endpoints/${w.theirs.id}/pause`)).status).toBe(403);
  });

  it('refuses missing, wrong, refreshed-away and revoked tokens, and project API keys', async () => {
    const w = await world();
    const link = (await w.links('POST', '', { owner_id: 'acme' })).body.data;
    expect((await api.request('GET', '/api/v1/portal/endpoints', { key: null })).status).toBe(401);
    expect((await portal('not-a-token', 'GET', '/endpoints')).status).toBe(401);
    expect((await portal(w.apiKey, 'GET', '/endpoints')).status).toBe(401);
    // Requests with a body are authenticated before it is read: a portal route takes only a
    // portal token, a project route only an API key.
    const made = { name: 'x', url: 'https://example.com/x' };
    expect((await portal('not-a-token', 'POST', '/endpoints', made)).status).toBe(401);
    expect((await portal(w.apiKey, 'POST', '/endpoints', made)).status).toBe(401);
    const asProject = await api.request('POST', `/api/v1/projects/${w.projectId}/endpoints`, {
      key: link.token,
      body: made,
    });
    expect(asProject.status).toBe(401);

    const refreshed = await w.links('GET', `/${link.uid}/refresh_token`);
    expect(refreshed.status).toBe(200);
    expect(typeof refreshed.body.data).toBe('string');
    expect((await portal(link.token, 'GET', '/endpoints')).status).toBe(401);
    expect((await portal(refreshed.body.data, 'GET', '/endpoints')).status).toBe(200);

    expect((await w.links('PUT', `/${link.uid}/revoke`)).status).toBe(200);
    expect((await portal(refreshed.body.data, 'GET', '/endpoints')).status).toBe(401);
    expect((await w.links('GET', `/${link.uid}`)).status).toBe(404);
    expect((await w.links('PUT', `/${link.uid}/revoke`)).status).toBe(404);
  });
});

describe('the dashboard served by the api', () => {
  jest.setTimeout(60_000);
  let api: ApiHarness;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'caravan-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Caravan</title><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log(1)');
    api = await startApiHarness({}, { dashboardDir: dir });
  });

  afterAll(async () => {
    await api?.close();
  });

  const get = (path: string) => fetch(`${api.url}${path}`);

  it('serves index.html at / and for deep links, assets with long caching', async () => {
    for (const path of ['/', '/projects/abc/events', '/portal?token=x']) {
      const response = await get(path);
      expect([path, response.status]).toEqual([path, 200]);
      expect(await response.text()).toContain('<title>Caravan</title>');
      expect(response.headers.get('cache-control')).toBe('no-cache');
    }
    const asset = await get('/assets/app-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await get('/assets/missing-123.js')).status).toBe(404);
  });

  it("never answers the api's own paths with the app", async () => {
    const unknownApi = await get('/api/v1/nothing-here');
    expect(unknownApi.status).toBe(404);
    expect(await unknownApi.json()).toMatchObject({ status: false });
    expect((await get('/healthz')).status).toBe(200);
    expect(await (await get('/metrics')).text()).not.toContain('<title>');
    expect((await get('/ingest/unknownmask')).status).toBe(404);
    expect((await get('/api/v1/openapi.json')).headers.get('content-type')).toContain('application/json');
  });
});
