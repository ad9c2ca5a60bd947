import type { Consumer } from 'kafkajs';
import { ApiHarness, startApiHarness } from '../testing/api-harness';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CONVOY_SECRET = /^[A-Za-z0-9_-]{43}$/;
const WHSEC = /^whsec_[A-Za-z0-9+/]{43}=$/;
const GIVEN_WHSEC = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

/** The keys of Convoy's endpoint.* meta-event data (libs/meta-events/src/lib/meta-event.payloads.ts). */
const META_ENDPOINT_KEYS = [
  'advanced_signatures',
  'authentication',
  'created_at',
  'deleted_at',
  'description',
  'http_timeout',
  'owner_id',
  'project_id',
  'rate_limit',
  'rate_limit_duration',
  'secrets',
  'status',
  'target_url',
  'title',
  'uid',
  'updated_at',
];

describe('endpoints (HTTP, real Postgres and Kafka)', () => {
  jest.setTimeout(90_000);
  let api: ApiHarness;
  let projectId: string;
  let key: string;

  const path = (project: string, suffix = '') => `/api/v1/projects/${project}/endpoints${suffix}`;
  const createEndpoint = async (body: object = {}, project = projectId, apiKey = key) => {
    const response = await api.request('POST', path(project), {
      key: apiKey,
      body: { name: 'orders', url: 'https://example.com/hook', ...body },
    });
    if (response.status !== 201) throw new Error(`create: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.data;
  };

  beforeAll(async () => {
    api = await startApiHarness();
    ({ projectId, apiKey: key } = await api.createProject());
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('POST /endpoints', () => {
    it("creates an endpoint with defaults and a generated secret, in Convoy's shape", async () => {
      const response = await api.request('POST', path(projectId), {
        key,
        body: { name: 'orders', url: 'https://example.com/hook' },
      });
      expect(response.status).toBe(201);
      expect(response.body.status).toBe(true);
      expect(response.body.message).toBe('Endpoint created successfully');
      const data = response.body.data;
      expect(data).toEqual({
        cb_state: 'closed',
        cb_state_changed_at: null,
        uid: expect.stringMatching(ULID),
        project_id: projectId,
        owner_id: '',
        name: 'orders',
        title: 'orders',
        url: 'https://example.com/hook',
        target_url: 'https://example.com/hook',
        description: '',
        status: 'active',
        secrets: [
          {
            uid: expect.stringMatching(ULID),
            value: expect.stringMatching(CONVOY_SECRET),
            created_at: expect.stringMatching(ISO),
            updated_at: expect.stringMatching(ISO),
            expires_at: null,
            deleted_at: null,
          },
        ],
        advanced_signatures: true,
        signature_format: 'convoy',
        http_timeout: 30,
        rate_limit: 0,
        rate_limit_duration: 60,
        authentication: null,
        content_type: 'application/json',
        mtls_client_cert: null,
        support_email: '',
        slack_webhook_url: '',
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
        deleted_at: null,
      });
      const read = await api.request('GET', path(projectId, `/${data.uid}`), { key });
      expect(read.status).toBe(200);
      expect(read.body.data).toEqual(data);
    });

    it('stores every field it is given', async () => {
      const data = await createEndpoint({
        name: 'billing',
        url: 'http://localhost:4000/in',
        secret: 'my-own-secret',
        owner_id: 'owner-1',
        description: 'the billing service',
        advanced_signatures: true,
        http_timeout: 12,
        rate_limit: 100,
        rate_limit_duration: 30,
        support_email: 'ops@example.com',
        slack_webhook_url: 'https://hooks.slack.com/services/x',
        authentication: { type: 'api_key', api_key: { header_name: 'X-Api-Key', header_value: 'k-123' } },
        app_id: 'ignored',
      });
      expect(data).toMatchObject({
        name: 'billing',
        url: 'http://localhost:4000/in',
        owner_id: 'owner-1',
        description: 'the billing service',
        advanced_signatures: true,
        http_timeout: 12,
        rate_limit: 100,
        rate_limit_duration: 30,
        support_email: 'ops@example.com',
        slack_webhook_url: 'https://hooks.slack.com/services/x',
        authentication: { type: 'api_key', api_key: { header_name: 'X-Api-Key', header_value: 'k-123' } },
      });
      expect(data.secrets.map((s: { value: string }) => s.value)).toEqual(['my-own-secret']);
    });

    it("treats Convoy clients' empty strings as unset", async () => {
      const data = await createEndpoint({ secret: '', owner_id: '', support_email: '', slack_webhook_url: '' });
      expect(data.secrets[0].value).toMatch(CONVOY_SECRET);
      expect(data.owner_id).toBe('');
    });

    it("reads Convoy's empty authentication as none", async () => {
      const data = await createEndpoint({
        authentication: { type: '', api_key: { header_name: '', header_value: '' } },
      });
      expect(data.authentication).toBeNull();
      const withAuth = await createEndpoint({
        authentication: { type: 'api_key', api_key: { header_name: 'X-K', header_value: 'v' } },
      });
      expect(withAuth.authentication).toEqual({
        type: 'api_key',
        api_key: { header_name: 'X-K', header_value: 'v' },
        basic_auth: null,
        oauth2: null,
      });
      const cleared = await api.request('PUT', path(projectId, `/${withAuth.uid}`), {
        key,
        body: { authentication: { type: '' } },
      });
      expect(cleared.body.data.authentication).toBeNull();
      const again = await api.request('PUT', path(projectId, `/${withAuth.uid}`), {
        key,
        body: { authentication: { type: 'api_key', api_key: { header_name: 'X-K', header_value: 'w' } } },
      });
      expect(again.body.data.authentication.api_key.header_value).toBe('w');
      const nulled = await api.request('PUT', path(projectId, `/${withAuth.uid}`), {
        key,
        body: { authentication: null },
      });
      expect(nulled.status).toBe(202);
      expect(nulled.body.data.authentication).toBeNull();
    });

    it('is_disabled creates an inactive endpoint', async () => {
      expect((await createEndpoint({ is_disabled: true })).status).toBe('inactive');
    });

    it('generates a whsec_ secret for standard-webhooks, takes a valid one and refuses another form', async () => {
      const generated = await createEndpoint({ signature_format: 'standard-webhooks' });
      expect(generated.signature_format).toBe('standard-webhooks');
      expect(generated.secrets[0].value).toMatch(WHSEC);
      const given = await createEndpoint({ signature_format: 'standard-webhooks', secret: GIVEN_WHSEC });
      expect(given.secrets[0].value).toBe(GIVEN_WHSEC);
      for (const secret of ['plain-secret', 'whsec_dG9vc2hvcnQ=', 'whsec_!!!not-base64!!!']) {
        const refused = await api.request('POST', path(projectId), {
          key,
          body: { name: 'x', url: 'https://example.com', signature_format: 'standard-webhooks', secret },
        });
        expect(refused.status).toBe(400);
        expect(refused.body.message).toMatch(/^secret: a standard-webhooks secret must be whsec_/);
        expect(refused.body.errors).toEqual([{ field: 'secret', message: refused.body.message }]);
      }
    });

    it.each([
      [{ name: 'x' }, 'url'],
      [{ name: 'x', url: 'ftp://example.com/x' }, 'url'],
      [{ name: 'x', url: 'not a url' }, 'url'],
      [{ url: 'https://example.com' }, 'name'],
      [{ name: '', url: 'https://example.com' }, 'name'],
      [{ name: 'x', url: 'https://example.com', secret: 42 }, 'secret'],
      [{ name: 'x', url: 'https://example.com', http_timeout: 301 }, 'http_timeout'],
      [{ name: 'x', url: 'https://example.com', http_timeout: '10s' }, 'http_timeout'],
      [{ name: 'x', url: 'https://example.com', rate_limit: -1 }, 'rate_limit'],
      [{ name: 'x', url: 'https://example.com', rate_limit_duration: -1 }, 'rate_limit_duration'],
      [{ name: 'x', url: 'https://example.com', advanced_signatures: 'yes' }, 'advanced_signatures'],
      [{ name: 'x', url: 'https://example.com', support_email: 'nope' }, 'support_email'],
      [{ name: 'x', url: 'https://example.com', slack_webhook_url: 'http://hooks.slack.com/x' }, 'slack_webhook_url'],
      [{ name: 'x', url: 'https://example.com', owner_id: 7 }, 'owner_id'],
      [{ name: 'x', url: 'https://example.com', description: 7 }, 'description'],
      [{ name: 'x', url: 'https://example.com', is_disabled: 'no' }, 'is_disabled'],
      [{ name: 'x', url: 'https://example.com', signature_format: 'svix' }, 'signature_format'],
      [{ name: 'x', url: 'https://example.com', authentication: { type: 'oauth' } }, 'authentication.type'],
      [{ name: 'x', url: 'https://example.com', authentication: { type: 'api_key' } }, 'authentication.api_key'],
      [
        {
          name: 'x',
          url: 'https://example.com',
          authentication: { type: 'api_key', api_key: { header_name: 'bad header', header_value: 'v' } },
        },
        'authentication.api_key.header_name',
      ],
      [
        {
          name: 'x',
          url: 'https://example.com',
          authentication: { type: 'api_key', api_key: { header_name: 'X-K', header_value: '' } },
        },
        'authentication.api_key.header_value',
      ],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const response = await api.request('POST', path(projectId), { key, body });
      expect(response.status).toBe(400);
      expect(response.body.status).toBe(false);
      expect(response.body.message).toContain(field);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it('takes only https URLs when the project enforces secure endpoints', async () => {
      const secure = await api.createProject('outgoing', { ssl: { enforce_secure_endpoints: true } });
      const refused = await api.request('POST', path(secure.projectId), {
        key: secure.apiKey,
        body: { name: 'x', url: 'http://example.com/hook' },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        { field: 'url', message: 'url: must be an https URL: the project enforces secure endpoints' },
      ]);
      const accepted = await api.request('POST', path(secure.projectId), {
        key: secure.apiKey,
        body: { name: 'x', url: 'https://example.com/hook' },
      });
      expect(accepted.status).toBe(201);
      const id = accepted.body.data.uid;
      const update = await api.request('PUT', path(secure.projectId, `/${id}`), {
        key: secure.apiKey,
        body: { url: 'http://example.com/other' },
      });
      expect(update.status).toBe(400);
      expect(update.body.errors[0].field).toBe('url');
    });
  });

  describe('access', () => {
    it("refuses another project's key with 403 on every route, and no key with 401", async () => {
      const endpoint = await createEndpoint();
      const other = await api.createProject();
      const routes: Array<[string, string, object?]> = [
        ['POST', '', { name: 'x', url: 'https://example.com' }],
        ['GET', ''],
        ['GET', `/${endpoint.uid}`],
        ['PUT', `/${endpoint.uid}`, { name: 'hijacked' }],
        ['DELETE', `/${endpoint.uid}`],
        ['PUT', `/${endpoint.uid}/expire_secret`, { expiration: 10 }],
        ['PUT', `/${endpoint.uid}/pause`],
        ['POST', `/${endpoint.uid}/activate`],
      ];
      for (const [method, suffix, body] of routes) {
        const crossed = await api.request(method, path(projectId, suffix), { key: other.apiKey, body });
        expect([method, suffix, crossed.status]).toEqual([method, suffix, 403]);
        const anonymous = await api.request(method, path(projectId, suffix), { key: null, body });
        expect([method, suffix, anonymous.status]).toEqual([method, suffix, 401]);
      }
      const after = await api.request('GET', path(projectId, `/${endpoint.uid}`), { key });
      expect(after.body.data.name).toBe('orders');
      expect(after.body.data.status).toBe('active');
    });

    it("answers 404 for an unknown endpoint and for another project's endpoint under this project", async () => {
      const other = await api.createProject();
      const theirs = await createEndpoint({}, other.projectId, other.apiKey);
      for (const id of ['01JUNKJUNKJUNKJUNKJUNKJUNK', theirs.uid]) {
        const routes: Array<[string, string, object?]> = [
          ['GET', `/${id}`],
          ['PUT', `/${id}`, { name: 'x' }],
          ['DELETE', `/${id}`],
          ['PUT', `/${id}/expire_secret`, { expiration: 10 }],
          ['PUT', `/${id}/pause`],
          ['POST', `/${id}/activate`],
        ];
        for (const [method, suffix, body] of routes) {
          const response = await api.request(method, path(projectId, suffix), { key, body });
          expect([method, suffix, response.status]).toEqual([method, suffix, 404]);
          expect(response.body).toEqual({ status: false, message: `endpoint ${id} not found` });
        }
      }
      const untouched = await api.request('GET', path(other.projectId, `/${theirs.uid}`), { key: other.apiKey });
      expect(untouched.body.data).toMatchObject({ name: 'orders', status: 'active', deleted_at: null });
    });
  });

  describe('GET /endpoints', () => {
    it('pages through 45 endpoints forwards and backwards, losing and repeating none', async () => {
      const paged = await api.createProject();
      const created: string[] = [];
      for (let i = 0; i < 45; i++) {
        created.push((await createEndpoint({ name: `ep-${i}` }, paged.projectId, paged.apiKey)).uid);
      }
      const newestFirst = [...created].reverse();
      const seen: string[] = [];
      const pages: Array<{ ids: string[]; pagination: Record<string, unknown> }> = [];
      let cursor: string | undefined;
      for (;;) {
        const query = `?perPage=20${cursor ? `&direction=next&next_page_cursor=${cursor}` : ''}`;
        const response = await api.request('GET', path(paged.projectId, query), { key: paged.apiKey });
        expect(response.status).toBe(200);
        const ids = response.body.data.content.map((e: { uid: string }) => e.uid);
        pages.push({ ids, pagination: response.body.data.pagination });
        seen.push(...ids);
        if (!response.body.data.pagination.has_next_page) break;
        cursor = response.body.data.pagination.next_page_cursor;
      }
      expect(pages.map((page) => page.ids.length)).toEqual([20, 20, 5]);
      expect(seen).toEqual(newestFirst);
      expect(pages[0].pagination).toMatchObject({ per_page: 20, has_next_page: true, has_prev_page: false });
      expect(pages[1].pagination).toMatchObject({ has_next_page: true, has_prev_page: true });
      expect(pages[2].pagination).toMatchObject({ has_next_page: false, has_prev_page: true });

      // Back from the last page: the second page again, then the first.
      const back = await api.request(
        'GET',
        path(paged.projectId, `?perPage=20&direction=prev&prev_page_cursor=${pages[2].pagination.prev_page_cursor}`),
        { key: paged.apiKey },
      );
      expect(back.body.data.content.map((e: { uid: string }) => e.uid)).toEqual(pages[1].ids);
      const first = await api.request(
        'GET',
        path(
          paged.projectId,
          `?perPage=20&direction=prev&prev_page_cursor=${back.body.data.pagination.prev_page_cursor}`,
        ),
        { key: paged.apiKey },
      );
      expect(first.body.data.content.map((e: { uid: string }) => e.uid)).toEqual(pages[0].ids);
      expect(first.body.data.pagination.has_prev_page).toBe(false);

      const ascending = await api.request('GET', path(paged.projectId, '?perPage=100&sort=ASC'), { key: paged.apiKey });
      expect(ascending.body.data.content.map((e: { uid: string }) => e.uid)).toEqual(created);
    });

    it('filters by name (q) and ownerId, and never lists deleted endpoints', async () => {
      const filtered = await api.createProject();
      const a = await createEndpoint({ name: 'Payments EU', owner_id: 'acme' }, filtered.projectId, filtered.apiKey);
      const b = await createEndpoint({ name: 'payments us', owner_id: 'globex' }, filtered.projectId, filtered.apiKey);
      const c = await createEndpoint({ name: 'shipping 100%', owner_id: 'acme' }, filtered.projectId, filtered.apiKey);
      const ids = async (query: string) =>
        (await api.request('GET', path(filtered.projectId, query), { key: filtered.apiKey })).body.data.content.map(
          (e: { uid: string }) => e.uid,
        );
      expect(await ids('?q=payments')).toEqual([b.uid, a.uid]);
      expect(await ids('?ownerId=acme')).toEqual([c.uid, a.uid]);
      expect(await ids('?q=payments&ownerId=acme')).toEqual([a.uid]);
      expect(await ids('?q=100%25')).toEqual([c.uid]);
      expect(await ids('?q=%25')).toEqual([c.uid]);
      await api.request('DELETE', path(filtered.projectId, `/${b.uid}`), { key: filtered.apiKey });
      expect(await ids('')).toEqual([c.uid, a.uid]);
    });

    it.each([
      ['?direction=sideways', 'direction'],
      ['?sort=up', 'sort'],
    ])('refuses the query %s with a 400 naming %s', async (query, field) => {
      const response = await api.request('GET', path(projectId, query), { key });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it('refuses a malformed cursor with a 400', async () => {
      const response = await api.request('GET', path(projectId, '?direction=next&next_page_cursor=nope'), { key });
      expect(response.status).toBe(400);
      expect(response.body.status).toBe(false);
    });
  });

  describe('PUT /endpoints/:id', () => {
    it('changes only the given fields and answers 202', async () => {
      const endpoint = await createEndpoint({ description: 'keep me', owner_id: 'o1', http_timeout: 5 });
      const response = await api.request('PUT', path(projectId, `/${endpoint.uid}`), {
        key,
        body: { name: 'renamed', url: 'https://example.org/new', rate_limit: 10, rate_limit_duration: 5 },
      });
      expect(response.status).toBe(202);
      expect(response.body.message).toBe('Endpoint updated successfully');
      expect(response.body.data).toEqual({
        ...endpoint,
        name: 'renamed',
        title: 'renamed',
        url: 'https://example.org/new',
        target_url: 'https://example.org/new',
        rate_limit: 10,
        rate_limit_duration: 5,
        updated_at: expect.stringMatching(ISO),
      });
      expect(new Date(response.body.data.updated_at).getTime()).toBeGreaterThanOrEqual(
        new Date(endpoint.updated_at).getTime(),
      );
    });

    it('replaces the secret when one is given and toggles is_disabled', async () => {
      const endpoint = await createEndpoint();
      const replaced = await api.request('PUT', path(projectId, `/${endpoint.uid}`), {
        key,
        body: { secret: 'brand-new', is_disabled: true },
      });
      expect(replaced.body.data.secrets.map((s: { value: string }) => s.value)).toEqual(['brand-new']);
      expect(replaced.body.data.status).toBe('inactive');
      const enabled = await api.request('PUT', path(projectId, `/${endpoint.uid}`), {
        key,
        body: { is_disabled: false },
      });
      expect(enabled.body.data.status).toBe('active');
    });

    it('switches to standard-webhooks only with a whsec_ secret', async () => {
      const endpoint = await createEndpoint();
      const refused = await api.request('PUT', path(projectId, `/${endpoint.uid}`), {
        key,
        body: { signature_format: 'standard-webhooks' },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].field).toBe('secret');
      const wrongForm = await api.request('PUT', path(projectId, `/${endpoint.uid}`), {
        key,
        body: { signature_format: 'standard-webhooks', secret: 'not-whsec' },
      });
      expect(wrongForm.status).toBe(400);
      expect(wrongForm.body.errors[0].field).toBe('secret');
      const switched = await api.request('PUT', path(projectId, `/${endpoint.uid}`), {
        key,
        body: { signature_format: 'standard-webhooks', secret: GIVEN_WHSEC },
      });
      expect(switched.status).toBe(202);
      expect(switched.body.data.signature_format).toBe('standard-webhooks');
      expect(switched.body.data.secrets.map((s: { value: string }) => s.value)).toEqual([GIVEN_WHSEC]);
    });

    it.each([
      [{ url: 'ftp://x' }, 'url'],
      [{ http_timeout: -5 }, 'http_timeout'],
      [{ signature_format: 'x' }, 'signature_format'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const endpoint = await createEndpoint();
      const response = await api.request('PUT', path(projectId, `/${endpoint.uid}`), { key, body });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });
  });

  describe('DELETE /endpoints/:id', () => {
    it('soft-deletes the endpoint and its subscriptions', async () => {
      const endpoint = await createEndpoint();
      const subscription = await api.request('POST', `/api/v1/projects/${projectId}/subscriptions`, {
        key,
        body: { name: 'all', endpoint_id: endpoint.uid },
      });
      expect(subscription.status).toBe(201);
      const deleted = await api.request('DELETE', path(projectId, `/${endpoint.uid}`), { key });
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual({ status: true, message: 'Endpoint deleted successfully', data: null });
      expect((await api.request('GET', path(projectId, `/${endpoint.uid}`), { key })).status).toBe(404);
      expect((await api.request('DELETE', path(projectId, `/${endpoint.uid}`), { key })).status).toBe(404);
      expect(
        (await api.request('PUT', path(projectId, `/${endpoint.uid}`), { key, body: { name: 'zombie' } })).status,
      ).toBe(404);
      const rows = await api.database.dataSource.query(
        `SELECT e.deleted_at AS endpoint_deleted, s.deleted_at AS subscription_deleted
         FROM endpoints e JOIN subscriptions s ON s.endpoint_id = e.id WHERE e.id = $1`,
        [endpoint.uid],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].endpoint_deleted).toBeInstanceOf(Date);
      expect(rows[0].subscription_deleted).toBeInstanceOf(Date);
      const sub = await api.request(
        'GET',
        `/api/v1/projects/${projectId}/subscriptions/${subscription.body.data.uid}`,
        { key },
      );
      expect(sub.status).toBe(404);
    });
  });

  describe('PUT /endpoints/:id/expire_secret', () => {
    it('expires the current secret after the window and appends a new one that signs from now', async () => {
      const endpoint = await createEndpoint();
      const old = endpoint.secrets[0];
      const before = Date.now();
      const response = await api.request('PUT', path(projectId, `/${endpoint.uid}/expire_secret`), {
        key,
        body: { expiration: 3600 },
      });
      expect(response.status).toBe(200);
      const secrets = response.body.data.secrets;
      expect(secrets).toHaveLength(2);
      expect(secrets[0]).toMatchObject({ uid: old.uid, value: old.value });
      const expiresAt = new Date(secrets[0].expires_at).getTime();
      expect(expiresAt).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);
      expect(secrets[1]).toEqual({
        uid: expect.stringMatching(ULID),
        value: expect.stringMatching(CONVOY_SECRET),
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
        expires_at: null,
        deleted_at: null,
      });
      expect(secrets[1].value).not.toBe(old.value);
      const stored = await api.database.dataSource.query('SELECT secrets FROM endpoints WHERE id = $1', [endpoint.uid]);
      expect(stored[0].secrets.map((s: { value: string }) => s.value)).toEqual([old.value, secrets[1].value]);
    });

    it('takes a given secret, and drops secrets that have already expired at the next rotation', async () => {
      const endpoint = await createEndpoint();
      const first = await api.request('PUT', path(projectId, `/${endpoint.uid}/expire_secret`), {
        key,
        body: { expiration: 0, secret: 'second-secret' },
      });
      expect(first.body.data.secrets.map((s: { value: string }) => s.value)).toEqual([
        endpoint.secrets[0].value,
        'second-secret',
      ]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const second = await api.request('PUT', path(projectId, `/${endpoint.uid}/expire_secret`), {
        key,
        body: { expiration: 60, secret: 'third-secret' },
      });
      expect(second.body.data.secrets.map((s: { value: string }) => s.value)).toEqual([
        'second-secret',
        'third-secret',
      ]);
      expect(second.body.data.secrets[0].expires_at).not.toBeNull();
      expect(second.body.data.secrets[1].expires_at).toBeNull();
    });

    it('keeps standard-webhooks endpoints on whsec_ secrets', async () => {
      const endpoint = await createEndpoint({ signature_format: 'standard-webhooks' });
      const refused = await api.request('PUT', path(projectId, `/${endpoint.uid}/expire_secret`), {
        key,
        body: { expiration: 60, secret: 'plain' },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].field).toBe('secret');
      const rotated = await api.request('PUT', path(projectId, `/${endpoint.uid}/expire_secret`), {
        key,
        body: { expiration: 60 },
      });
      expect(rotated.body.data.secrets[1].value).toMatch(WHSEC);
    });

    it.each([
      [{}, 'expiration'],
      [{ expiration: -1 }, 'expiration'],
      [{ expiration: 1.5 }, 'expiration'],
      [{ expiration: 30 * 86_400 + 1 }, 'expiration'],
      [{ expiration: 10, secret: 5 }, 'secret'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const endpoint = await createEndpoint();
      const response = await api.request('PUT', path(projectId, `/${endpoint.uid}/expire_secret`), { key, body });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });
  });

  describe('pause and activate', () => {
    it('pause toggles active ↔ paused', async () => {
      const endpoint = await createEndpoint();
      const paused = await api.request('PUT', path(projectId, `/${endpoint.uid}/pause`), { key });
      expect(paused.status).toBe(202);
      expect(paused.body.data.status).toBe('paused');
      const resumed = await api.request('PUT', path(projectId, `/${endpoint.uid}/pause`), { key });
      expect(resumed.body.data.status).toBe('active');
      const stored = await api.database.dataSource.query('SELECT status FROM endpoints WHERE id = $1', [endpoint.uid]);
      expect(stored[0].status).toBe('active');
    });

    it('refuses to pause an inactive endpoint', async () => {
      const endpoint = await createEndpoint({ is_disabled: true });
      const response = await api.request('PUT', path(projectId, `/${endpoint.uid}/pause`), { key });
      expect(response.status).toBe(400);
      expect(response.body.message).toContain('inactive');
    });

    it('activate moves inactive or paused to active, and refuses an active one', async () => {
      const inactive = await createEndpoint({ is_disabled: true });
      const fromInactive = await api.request('POST', path(projectId, `/${inactive.uid}/activate`), { key });
      expect(fromInactive.status).toBe(202);
      expect(fromInactive.body.data.status).toBe('active');

      const paused = await createEndpoint();
      await api.request('PUT', path(projectId, `/${paused.uid}/pause`), { key });
      const fromPaused = await api.request('POST', path(projectId, `/${paused.uid}/activate`), { key });
      expect(fromPaused.body.data.status).toBe('active');

      const again = await api.request('POST', path(projectId, `/${paused.uid}/activate`), { key });
      expect(again.status).toBe(400);
      expect(again.body.message).toContain('active');
    });
  });

  describe('PUT /endpoints/:id/toggle_status (Convoy)', () => {
    it('answers 202 and toggles active → inactive → active; a paused one becomes active', async () => {
      const endpoint = await createEndpoint();
      const off = await api.request('PUT', path(projectId, `/${endpoint.uid}/toggle_status`), { key });
      expect(off.status).toBe(202);
      expect(off.body.data.status).toBe('inactive');
      const on = await api.request('PUT', path(projectId, `/${endpoint.uid}/toggle_status`), { key });
      expect(on.status).toBe(202);
      expect(on.body.data.status).toBe('active');
      await api.request('PUT', path(projectId, `/${endpoint.uid}/pause`), { key });
      const fromPaused = await api.request('PUT', path(projectId, `/${endpoint.uid}/toggle_status`), { key });
      expect(fromPaused.body.data.status).toBe('active');
      const stored = await api.database.dataSource.query('SELECT status FROM endpoints WHERE id = $1', [endpoint.uid]);
      expect(stored[0].status).toBe('active');
    });

    it('is 404 for an unknown endpoint', async () => {
      const response = await api.request('PUT', path(projectId, '/01HZZZZZZZZZZZZZZZZZZZZZZZ/toggle_status'), { key });
      expect(response.status).toBe(404);
    });
  });

  describe('delivery settings: content_type, authentication types, mtls_client_cert', () => {
    it('stores content_type (default application/json, "" = default) and refuses another media type', async () => {
      const form = await createEndpoint({ content_type: 'application/x-www-form-urlencoded' });
      expect(form.content_type).toBe('application/x-www-form-urlencoded');
      expect((await createEndpoint({ content_type: '' })).content_type).toBe('application/json');
      const back = await api.request('PUT', path(projectId, `/${form.uid}`), {
        key,
        body: { content_type: 'application/json' },
      });
      expect(back.body.data.content_type).toBe('application/json');
      const refused = await api.request('POST', path(projectId), {
        key,
        body: { name: 'x', url: 'https://example.com/h', content_type: 'text/xml' },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toContain('content_type');
    });

    it('stores basic_auth and oauth2; the oauth2 client secret is masked and survives a read-back PUT', async () => {
      const basic = await createEndpoint({
        authentication: { type: 'basic_auth', basic_auth: { username: 'u', password: 'p' } },
      });
      expect(basic.authentication).toEqual({
        type: 'basic_auth',
        basic_auth: { username: 'u', password: 'p' },
        api_key: null,
        oauth2: null,
      });
      const oauth2 = {
        url: 'https://auth.example.com/token',
        client_id: 'client-1',
        client_secret: 'very-secret-value-1234',
        grant_type: 'client_credentials',
        authentication_type: 'shared_secret',
        scope: 'webhooks',
        audience: '',
        expiry_time_unit: 'seconds',
        field_mapping: { access_token: 'accessToken', token_type: '', expires_in: '' },
        // What Convoy's SDKs send for the client_assertion settings they do not use.
        issuer: '',
        subject: '',
        signing_algorithm: '',
        signing_key: null,
      };
      const created = await createEndpoint({ authentication: { type: 'oauth2', oauth2 } });
      expect(created.authentication.oauth2).toEqual({
        url: oauth2.url,
        client_id: 'client-1',
        client_secret: '********1234',
        grant_type: 'client_credentials',
        scope: 'webhooks',
        expiry_time_unit: 'seconds',
        field_mapping: { access_token: 'accessToken' },
      });
      expect(JSON.stringify(created)).not.toContain('very-secret-value');
      const putBack = await api.request('PUT', path(projectId, `/${created.uid}`), {
        key,
        body: { authentication: created.authentication },
      });
      expect(putBack.status).toBe(202);
      const stored = await api.database.dataSource.query('SELECT authentication FROM endpoints WHERE id = $1', [
        created.uid,
      ]);
      expect(stored[0].authentication.oauth2.client_secret).toBe('very-secret-value-1234');
    });

    it.each([
      [{ type: 'basic_auth' }, 'basic_auth'],
      [{ type: 'oauth2', oauth2: { url: 'not a url', client_id: 'a', client_secret: 'b' } }, 'oauth2.url'],
      [
        {
          type: 'oauth2',
          oauth2: { url: 'https://a.example/t', client_id: 'a', client_secret: 'b', grant_type: 'password' },
        },
        'oauth2.grant_type',
      ],
      [{ type: 'digest' }, 'type'],
    ])('refuses authentication %j with a 400 naming %s', async (authentication, field) => {
      const response = await api.request('POST', path(projectId), {
        key,
        body: { name: 'x', url: 'https://example.com/h', authentication },
      });
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body)).toContain(field);
    });

    it('checks mtls_client_cert is a loadable PEM pair and never shows the key', async () => {
      const { generateKeyPairSync } = await import('node:crypto');
      const refused = await api.request('POST', path(projectId), {
        key,
        body: {
          name: 'x',
          url: 'https://example.com/h',
          mtls_client_cert: { client_cert: 'nope', client_key: 'nope' },
        },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toContain('mtls_client_cert.client_cert');
      expect(refused.body.message).toContain('mtls_client_cert.client_key');
      const none = await createEndpoint({ mtls_client_cert: { client_cert: '', client_key: '' } });
      expect(none.mtls_client_cert).toBeNull();
      // A real key with a certificate that does not parse still names only the certificate.
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const badCert = await api.request('POST', path(projectId), {
        key,
        body: { name: 'x', url: 'https://example.com/h', mtls_client_cert: { client_cert: 'x', client_key: pem } },
      });
      expect(badCert.body.message).toContain('client_cert');
      expect(badCert.body.message).not.toContain('client_key');
    });
  });

  describe('meta events', () => {
    let consumer: Consumer | undefined;

    afterEach(async () => {
      await consumer?.disconnect();
      consumer = undefined;
    });

    const metaRows = async (project: string) =>
      (
        await api.database.dataSource.query(
          'SELECT id, event_type, payload, status FROM meta_events WHERE project_id = $1 ORDER BY id',
          [project],
        )
      ).map((row: { id: string; event_type: string; payload: Buffer; status: string }) => ({
        ...row,
        payload: JSON.parse(row.payload.toString('utf8')),
      }));

    it("records endpoint.created in Convoy's payload shape and rings the deliveries topic", async () => {
      const project = await api.createProject('outgoing', {
        meta_event: {
          is_enabled: true,
          url: 'https://example.com/meta',
          secret: 's',
          event_type: ['endpoint.created'],
        },
      });
      const endpoint = await createEndpoint(
        { owner_id: 'o-9', http_timeout: 10, rate_limit_duration: 60 },
        project.projectId,
        project.apiKey,
      );

      const rows = await metaRows(project.projectId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ event_type: 'endpoint.created', status: 'Scheduled' });
      expect(Object.keys(rows[0].payload).sort()).toEqual(['data', 'event_type']);
      expect(rows[0].payload.event_type).toBe('endpoint.created');
      expect(Object.keys(rows[0].payload.data).sort()).toEqual(META_ENDPOINT_KEYS);
      expect(rows[0].payload.data).toEqual({
        uid: endpoint.uid,
        project_id: project.projectId,
        owner_id: 'o-9',
        target_url: 'https://example.com/hook',
        title: 'orders',
        secrets: endpoint.secrets,
        advanced_signatures: true,
        description: '',
        http_timeout: '10s',
        rate_limit: 0,
        status: 'active',
        rate_limit_duration: '1m0s',
        authentication: null,
        created_at: endpoint.created_at,
        updated_at: endpoint.updated_at,
        deleted_at: null,
      });

      const doorbells: Array<{ key: string; value: Record<string, unknown> }> = [];
      consumer = api.kafka.consumer({ groupId: `endpoints-spec-${Date.now()}` });
      await consumer.connect();
      await consumer.subscribe({ topic: api.config.kafka.topics.deliveries, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          doorbells.push({ key: String(message.key), value: JSON.parse(String(message.value)) });
        },
      });
      const deadline = Date.now() + 30_000;
      while (!doorbells.some((d) => d.value['delivery_id'] === rows[0].id) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(doorbells.find((d) => d.value['delivery_id'] === rows[0].id)).toEqual({
        key: `meta:${project.projectId}`,
        value: { project_id: project.projectId, endpoint_id: '', delivery_id: rows[0].id, kind: 'meta' },
      });
    });

    it('records endpoint.updated for update, pause, activate and expire_secret, and endpoint.deleted', async () => {
      const project = await api.createProject('outgoing', {
        meta_event: {
          is_enabled: true,
          url: 'https://example.com/meta',
          secret: 's',
          event_type: ['endpoint.created', 'endpoint.updated', 'endpoint.deleted'],
        },
      });
      const endpoint = await createEndpoint({}, project.projectId, project.apiKey);
      const call = (method: string, suffix: string, body?: object) =>
        api.request(method, path(project.projectId, `/${endpoint.uid}${suffix}`), { key: project.apiKey, body });
      expect((await call('PUT', '', { name: 'renamed' })).status).toBe(202);
      expect((await call('PUT', '/pause')).status).toBe(202);
      expect((await call('POST', '/activate')).status).toBe(202);
      expect((await call('PUT', '/expire_secret', { expiration: 60 })).status).toBe(200);
      expect((await call('DELETE', '')).status).toBe(200);

      const rows = await metaRows(project.projectId);
      expect(rows.map((row: { event_type: string }) => row.event_type)).toEqual([
        'endpoint.created',
        'endpoint.updated',
        'endpoint.updated',
        'endpoint.updated',
        'endpoint.updated',
        'endpoint.deleted',
      ]);
      const data = rows.map((row: { payload: { data: Record<string, unknown> } }) => row.payload.data);
      for (const entry of data) expect(Object.keys(entry).sort()).toEqual(META_ENDPOINT_KEYS);
      expect(data[1].title).toBe('renamed');
      expect(data[2].status).toBe('paused');
      expect(data[3].status).toBe('active');
      expect((data[4].secrets as unknown[]).length).toBe(2);
      expect(data[5].deleted_at).toEqual(expect.stringMatching(ISO));
    });

    it('records nothing for types the project did not subscribe to, or when meta events are off', async () => {
      const onlyDeleted = await api.createProject('outgoing', {
        meta_event: { is_enabled: true, url: 'https://example.com/meta', event_type: ['endpoint.deleted'] },
      });
      const endpoint = await createEndpoint({}, onlyDeleted.projectId, onlyDeleted.apiKey);
      await api.request('PUT', path(onlyDeleted.projectId, `/${endpoint.uid}`), {
        key: onlyDeleted.apiKey,
        body: { name: 'n' },
      });
      expect(await metaRows(onlyDeleted.projectId)).toEqual([]);

      const off = await api.createProject();
      await createEndpoint({}, off.projectId, off.apiKey);
      expect(await metaRows(off.projectId)).toEqual([]);
    });
  });
});
