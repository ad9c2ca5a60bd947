import { SubscriptionsRepository } from '@caravan/persistence';
import { ApiHarness, startApiHarness } from '../testing/api-harness';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('subscriptions (HTTP, real Postgres and Kafka)', () => {
  jest.setTimeout(90_000);
  let api: ApiHarness;
  let projectId: string;
  let key: string;
  let endpoint: Record<string, any>;

  const path = (project: string, suffix = '') => `/api/v1/projects/${project}/subscriptions${suffix}`;
  const post = async (project: string, apiKey: string, resource: string, body: object) => {
    const response = await api.request('POST', `/api/v1/projects/${project}/${resource}`, { key: apiKey, body });
    if (response.status !== 201) throw new Error(`${resource}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.data;
  };
  const newEndpoint = (project = projectId, apiKey = key) =>
    post(project, apiKey, 'endpoints', { name: 'ep', url: 'https://example.com/hook' });
  const newSource = (project = projectId, apiKey = key) =>
    post(project, apiKey, 'sources', { name: 'src', type: 'http' });
  const subscribe = (body: object, project = projectId, apiKey = key) =>
    post(project, apiKey, 'subscriptions', { name: 'sub', endpoint_id: endpoint.uid, ...body });

  beforeAll(async () => {
    api = await startApiHarness();
    ({ projectId, apiKey: key } = await api.createProject());
    endpoint = await newEndpoint();
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('POST /subscriptions', () => {
    it('stores delivery_mode (at_least_once by default, "" = default), changes it on update, refuses others', async () => {
      const once = await subscribe({ delivery_mode: 'at_most_once' });
      expect(once.delivery_mode).toBe('at_most_once');
      expect((await subscribe({ delivery_mode: '' })).delivery_mode).toBe('at_least_once');
      const changed = await api.request('PUT', path(projectId, `/${once.uid}`), {
        key,
        body: { delivery_mode: 'at_least_once' },
      });
      expect(changed.body.data.delivery_mode).toBe('at_least_once');
      const [row] = await api.database.dataSource.query('SELECT delivery_mode FROM subscriptions WHERE id = $1', [
        once.uid,
      ]);
      expect(row.delivery_mode).toBe('at_least_once');
      const refused = await api.request('POST', path(projectId), {
        key,
        body: { name: 'x', endpoint_id: endpoint.uid, delivery_mode: 'exactly_once' },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toContain('delivery_mode');
    });

    it("creates a catch-all subscription by default, in Convoy's shape", async () => {
      const response = await api.request('POST', path(projectId), {
        key,
        body: { name: 'all', endpoint_id: endpoint.uid },
      });
      expect(response.status).toBe(201);
      expect(response.body.message).toBe('Subscription created successfully');
      expect(response.body.data).toEqual({
        uid: expect.stringMatching(ULID),
        name: 'all',
        type: 'api',
        project_id: projectId,
        delivery_mode: 'at_least_once',
        endpoint_id: endpoint.uid,
        source_id: '',
        filter_config: { event_types: ['*'], filter: { headers: {}, body: {} } },
        function: null,
        endpoint_metadata: endpoint,
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
        deleted_at: null,
      });
      const read = await api.request('GET', path(projectId, `/${response.body.data.uid}`), { key });
      expect(read.status).toBe(200);
      expect(read.body.data).toEqual(response.body.data);
    });

    it('stores event types, filters and the source, and the router finds it', async () => {
      const source = await newSource();
      const filter = {
        headers: { 'x-tenant': 'acme' },
        body: {
          amount: { $gte: 100 },
          'customer.tier': { $in: ['gold', 'silver'] },
          $or: [{ a: 1 }, { b: { $exist: true } }],
        },
      };
      const data = await subscribe({
        source_id: source.uid,
        filter_config: {
          event_types: ['invoice.paid', 'invoice.paid', 'invoice.failed'],
          filter: { ...filter, is_flattened: false },
        },
        alert_config: { count: 1 },
        retry_config: { type: 'linear' },
        rate_limit_config: { count: 1 },
      });
      expect(data.source_id).toBe(source.uid);
      expect(data.filter_config).toEqual({ event_types: ['invoice.paid', 'invoice.failed'], filter });
      const repository = api.app.get(SubscriptionsRepository);
      const matched = await repository.findForEventType(projectId, 'invoice.failed', [endpoint.uid]);
      expect(matched.map((s) => s.id)).toContain(data.uid);
      const other = await repository.findForEventType(projectId, 'user.created', [endpoint.uid]);
      expect(other.map((s) => s.id)).not.toContain(data.uid);
    });

    it('stores an empty event type list as ["*"], so the router still matches it', async () => {
      const data = await subscribe({ filter_config: { event_types: [] } });
      expect(data.filter_config.event_types).toEqual(['*']);
      const matched = await api.app
        .get(SubscriptionsRepository)
        .findForEventType(projectId, 'anything', [endpoint.uid]);
      expect(matched.map((s) => s.id)).toContain(data.uid);
    });

    it.each([
      [{ endpoint_id: 'E' }, 'name'],
      [{ name: 'x' }, 'endpoint_id'],
      [{ name: 'x', endpoint_id: 5 }, 'endpoint_id'],
      [{ name: 'x', endpoint_id: 'E', source_id: 5 }, 'source_id'],
      [{ name: 'x', endpoint_id: 'E', filter_config: 'all' }, 'filter_config'],
      [{ name: 'x', endpoint_id: 'E', filter_config: { event_types: 'a' } }, 'filter_config.event_types'],
      [{ name: 'x', endpoint_id: 'E', filter_config: { event_types: [1] } }, 'filter_config.event_types'],
      [{ name: 'x', endpoint_id: 'E', filter_config: { filter: { body: [] } } }, 'filter_config.filter.body'],
      [{ name: 'x', endpoint_id: 'E', filter_config: { filter: { headers: 'x' } } }, 'filter_config.filter.headers'],
      [{ name: 'x', endpoint_id: 'E', function: 'return p' }, 'function'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const withEndpoint = JSON.parse(JSON.stringify(body).replace('"E"', JSON.stringify(endpoint.uid)));
      const response = await api.request('POST', path(projectId), { key, body: withEndpoint });
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(field);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it.each([
      [
        { event_types: [''] },
        'filter_config.event_types[0]',
        'filter_config.event_types[0]: must be a non-empty string',
      ],
      [
        { filter: { body: { amount: { $foo: 1 } } } },
        'filter_config.filter.body.amount',
        'filter_config.filter.body.amount: unknown operator $foo',
      ],
      [
        { filter: { body: { amount: { $in: 3 } } } },
        'filter_config.filter.body.amount',
        'filter_config.filter.body.amount: $in must be an array',
      ],
      [
        { filter: { body: { $or: [] } } },
        'filter_config.filter.body',
        'filter_config.filter.body: $or must be a non-empty array of filter objects',
      ],
      [
        { filter: { body: { name: { $regex: '(a)\\1' } } } },
        'filter_config.filter.body.name',
        'filter_config.filter.body.name: invalid $regex: error parsing regexp: invalid escape sequence',
      ],
      [
        { filter: { headers: { 'x-a': { $exist: 'yes' } } } },
        'filter_config.filter.headers.x-a',
        'filter_config.filter.headers.x-a: $exist needs true or false',
      ],
    ])('validates the filter %j: 400 naming %s', async (filterConfig, field, message) => {
      const response = await api.request('POST', path(projectId), {
        key,
        body: { name: 'x', endpoint_id: endpoint.uid, filter_config: filterConfig },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
      expect(response.body.message).toContain(message);
    });

    it('names every bad filter path at once', async () => {
      const response = await api.request('POST', path(projectId), {
        key,
        body: {
          name: 'x',
          endpoint_id: endpoint.uid,
          filter_config: { filter: { body: { a: { $foo: 1 }, b: { $gt: [] } }, headers: { c: { $bar: 1 } } } },
        },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([
        'filter_config.filter.body.a',
        'filter_config.filter.body.b',
        'filter_config.filter.headers.c',
      ]);
    });

    it('refuses an endpoint or source of another project, an unknown one and a deleted one, linking nothing', async () => {
      const other = await api.createProject();
      const theirEndpoint = await newEndpoint(other.projectId, other.apiKey);
      const theirSource = await newSource(other.projectId, other.apiKey);
      const deleted = await newEndpoint();
      await api.request('DELETE', `/api/v1/projects/${projectId}/endpoints/${deleted.uid}`, { key });
      const before = await api.database.dataSource.query('SELECT count(*)::int AS n FROM subscriptions');
      for (const [body, field] of [
        [{ endpoint_id: theirEndpoint.uid }, 'endpoint_id'],
        [{ endpoint_id: '01JUNKJUNKJUNKJUNKJUNKJUNK' }, 'endpoint_id'],
        [{ endpoint_id: deleted.uid }, 'endpoint_id'],
        [{ endpoint_id: endpoint.uid, source_id: theirSource.uid }, 'source_id'],
      ] as const) {
        const response = await api.request('POST', path(projectId), { key, body: { name: 'x', ...body } });
        expect(response.status).toBe(400);
        expect(response.body.errors).toEqual([
          {
            field,
            message: `${field}: no ${field.replace('_id', '')} ${(body as Record<string, string>)[field]} in this project`,
          },
        ]);
      }
      // The admin key may act in any project, but still cannot link across projects.
      const asAdmin = await api.request('POST', path(projectId), {
        body: { name: 'x', endpoint_id: theirEndpoint.uid },
      });
      expect(asAdmin.status).toBe(400);
      const after = await api.database.dataSource.query('SELECT count(*)::int AS n FROM subscriptions');
      expect(after[0].n).toBe(before[0].n);
    });
  });

  describe('GET /subscriptions', () => {
    it('pages with next and prev, and filters by endpointId (repeatable)', async () => {
      const paged = await api.createProject();
      const first = await newEndpoint(paged.projectId, paged.apiKey);
      const second = await newEndpoint(paged.projectId, paged.apiKey);
      const third = await newEndpoint(paged.projectId, paged.apiKey);
      const created: Record<string, string[]> = { [first.uid]: [], [second.uid]: [], [third.uid]: [] };
      const all: string[] = [];
      for (let i = 0; i < 25; i++) {
        const target = [first, second, third][i % 3].uid;
        const sub = await post(paged.projectId, paged.apiKey, 'subscriptions', { name: `s${i}`, endpoint_id: target });
        created[target].push(sub.uid);
        all.push(sub.uid);
      }
      const list = (query: string) => api.request('GET', path(paged.projectId, query), { key: paged.apiKey });
      const ids = (response: { body: any }) => response.body.data.content.map((s: { uid: string }) => s.uid);

      const seen: string[] = [];
      const pages: any[] = [];
      let response = await list('?perPage=10');
      for (;;) {
        expect(response.status).toBe(200);
        pages.push(response.body.data);
        seen.push(...ids(response));
        if (!response.body.data.pagination.has_next_page) break;
        response = await list(
          `?perPage=10&direction=next&next_page_cursor=${response.body.data.pagination.next_page_cursor}`,
        );
      }
      expect(pages.map((page) => page.content.length)).toEqual([10, 10, 5]);
      expect(seen).toEqual([...all].reverse());
      const back = await list(`?perPage=10&direction=prev&prev_page_cursor=${pages[2].pagination.prev_page_cursor}`);
      expect(ids(back)).toEqual(pages[1].content.map((s: { uid: string }) => s.uid));
      expect(back.body.data.pagination).toMatchObject({ has_prev_page: true, has_next_page: true });

      const one = await list(`?perPage=100&endpointId=${second.uid}`);
      expect(ids(one)).toEqual([...created[second.uid]].reverse());
      expect(one.body.data.content.every((s: any) => s.endpoint_metadata.uid === second.uid)).toBe(true);
      const two = await list(`?perPage=100&sort=ASC&endpointId=${first.uid}&endpointId=${third.uid}`);
      expect(ids(two)).toEqual(all.filter((id) => created[first.uid].includes(id) || created[third.uid].includes(id)));
    });

    it("refuses another project's key with 403 and ignores an unknown query field, naming it", async () => {
      const other = await api.createProject();
      expect((await api.request('GET', path(projectId), { key: other.apiKey })).status).toBe(403);
      const unknown = await api.request('GET', path(projectId, '?endpoint=x'), { key });
      expect(unknown.status).toBe(200);
      expect(unknown.headers.get('caravan-ignored-fields')).toBe('endpoint');
    });
  });

  describe('GET / PUT / DELETE /subscriptions/:id', () => {
    it('updates the given fields (202), replacing the filter; "" leaves the source as it is', async () => {
      const source = await newSource();
      const other = await newEndpoint();
      const sub = await subscribe({
        source_id: source.uid,
        filter_config: { event_types: ['a'], filter: { body: { x: 1 } } },
      });
      const response = await api.request('PUT', path(projectId, `/${sub.uid}`), {
        key,
        body: { name: 'renamed', endpoint_id: other.uid, source_id: '', filter_config: { event_types: ['b'] } },
      });
      expect(response.status).toBe(202);
      expect(response.body.data).toEqual({
        ...sub,
        name: 'renamed',
        endpoint_id: other.uid,
        endpoint_metadata: other,
        source_id: source.uid,
        filter_config: { event_types: ['b'], filter: { headers: {}, body: {} } },
        updated_at: expect.stringMatching(ISO),
      });
      const nameOnly = await api.request('PUT', path(projectId, `/${sub.uid}`), { key, body: { name: 'again' } });
      expect(nameOnly.body.data).toMatchObject({
        name: 'again',
        endpoint_id: other.uid,
        filter_config: { event_types: ['b'] },
      });
    });

    it("refuses an update that links another project's endpoint or carries a bad filter, changing nothing", async () => {
      const sub = await subscribe({});
      const other = await api.createProject();
      const theirs = await newEndpoint(other.projectId, other.apiKey);
      const crossed = await api.request('PUT', path(projectId, `/${sub.uid}`), {
        key,
        body: { endpoint_id: theirs.uid },
      });
      expect(crossed.status).toBe(400);
      expect(crossed.body.errors[0].field).toBe('endpoint_id');
      const badFilter = await api.request('PUT', path(projectId, `/${sub.uid}`), {
        key,
        body: { filter_config: { filter: { body: { n: { $foo: 1 } } } } },
      });
      expect(badFilter.status).toBe(400);
      expect(badFilter.body.message).toBe('filter_config.filter.body.n: unknown operator $foo');
      const read = await api.request('GET', path(projectId, `/${sub.uid}`), { key });
      expect(read.body.data).toEqual(sub);
    });

    it('soft-deletes: 200, then 404 everywhere and gone from the list', async () => {
      const sub = await subscribe({});
      const deleted = await api.request('DELETE', path(projectId, `/${sub.uid}`), { key });
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual({ status: true, message: 'Subscription deleted successfully', data: null });
      for (const [method, body] of [['GET'], ['PUT', { name: 'x' }], ['DELETE']] as const) {
        const response = await api.request(method, path(projectId, `/${sub.uid}`), { key, body });
        expect(response.status).toBe(404);
        expect(response.body).toEqual({ status: false, message: `subscription ${sub.uid} not found` });
      }
      const listed = await api.request('GET', path(projectId, '?perPage=100'), { key });
      expect(listed.body.data.content.map((s: { uid: string }) => s.uid)).not.toContain(sub.uid);
      const rows = await api.database.dataSource.query('SELECT deleted_at FROM subscriptions WHERE id = $1', [sub.uid]);
      expect(rows[0].deleted_at).toBeInstanceOf(Date);
    });

    it("hides another project's subscription (404) and refuses another project's key (403)", async () => {
      const other = await api.createProject();
      const theirEndpoint = await newEndpoint(other.projectId, other.apiKey);
      const theirs = await post(other.projectId, other.apiKey, 'subscriptions', {
        name: 't',
        endpoint_id: theirEndpoint.uid,
      });
      for (const [method, body] of [['GET'], ['PUT', { name: 'x' }], ['DELETE']] as const) {
        expect((await api.request(method, path(projectId, `/${theirs.uid}`), { key, body })).status).toBe(404);
        expect((await api.request(method, path(other.projectId, `/${theirs.uid}`), { key, body })).status).toBe(403);
      }
      const post403 = await api.request('POST', path(other.projectId), {
        key,
        body: { name: 'x', endpoint_id: theirEndpoint.uid },
      });
      expect(post403.status).toBe(403);
      const still = await api.request('GET', path(other.projectId, `/${theirs.uid}`), { key: other.apiKey });
      expect(still.body.data.name).toBe('t');
    });
  });

  describe('POST /subscriptions/test_filter', () => {
    const test = (body: object, apiKey = key) =>
      api.request('POST', path(projectId, '/test_filter'), { key: apiKey, body });

    it('evaluates a backtracking-prone $regex on a long subject in linear time', async () => {
      const started = Date.now();
      const response = await test({
        request: { body: { s: 'a'.repeat(60_000) } },
        schema: { body: { s: { $regex: '.*.*.*=' } } },
      });
      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it.each([
      [{ request: { body: { amount: 150 } }, schema: { body: { amount: { $gte: 100 } } } }, true],
      [{ request: { body: { amount: 50 } }, schema: { body: { amount: { $gte: 100 } } } }, false],
      [{ request: { body: { items: [{ sku: 'A' }, { sku: 'B' }] } }, schema: { body: { 'items.$.sku': 'B' } } }, true],
      [
        { request: { body: { tier: 'gold' } }, schema: { body: { $or: [{ tier: 'silver' }, { tier: 'gold' }] } } },
        true,
      ],
      [{ request: { body: { a: 1 } }, schema: { body: {} } }, true],
      [
        { request: { body: { a: 1 }, header: { 'X-Tenant': 'acme' } }, schema: { header: { 'x-tenant': 'acme' } } },
        true,
      ],
      [
        { request: { body: { a: 1 }, header: { 'X-Tenant': 'other' } }, schema: { header: { 'x-tenant': 'acme' } } },
        false,
      ],
      [{ request: { body: { a: 1 } }, schema: { body: { a: 1 }, header: { 'x-tenant': { $exist: true } } } }, false],
    ])('answers %j with %s', async (body, expected) => {
      const response = await test(body);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        status: true,
        message: 'Subscriptions filter validated successfully',
        data: expected,
      });
    });

    it.each([
      [{ schema: { body: {} } }, 'request'],
      [{ request: { body: {} } }, 'schema'],
      [{ request: { body: {} }, schema: { body: 'x' } }, 'schema.body'],
      [{ request: { body: {}, header: 'x' }, schema: {} }, 'request.header'],
      [{ request: { body: {} }, schema: { body: { a: { $foo: 1 } } } }, 'schema.body.a'],
      [{ request: { body: {} }, schema: { header: { a: { $in: 1 } } } }, 'schema.header.a'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const response = await test(body);
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it('needs a key of the project', async () => {
      const other = await api.createProject();
      expect((await test({ request: { body: {} }, schema: {} }, other.apiKey)).status).toBe(403);
    });
  });
});
