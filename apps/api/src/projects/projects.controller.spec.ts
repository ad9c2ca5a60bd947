import { ADMIN_KEY, ApiHarness, startApiHarness } from '../testing/api-harness';

describe('projects and API keys (HTTP, real Postgres and Kafka)', () => {
  jest.setTimeout(60_000);
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApiHarness();
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('POST /api/v1/projects', () => {
    it('creates a project with defaults and returns its first key once', async () => {
      const response = await api.request('POST', '/api/v1/projects', { body: { name: 'shop', type: 'outgoing' } });
      expect(response.status).toBe(201);
      expect(response.body.status).toBe(true);
      const { project, api_key } = response.body.data;
      expect(project).toMatchObject({ name: 'shop', type: 'outgoing' });
      expect(project.uid).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(project.config.strategy).toEqual({ type: 'linear', duration: 10, retry_count: 10 });
      expect(project.config.signature.header).toBe('X-Convoy-Signature');
      expect(api_key.key).toMatch(/^CO\.[A-Za-z0-9]{16}\./);

      const listed = await api.request('GET', `/api/v1/projects/${project.uid}/keys`);
      expect(listed.status).toBe(200);
      expect(listed.body.data).toHaveLength(1);
      expect(listed.body.data[0].key).toBe(`CO.${api_key.mask_id}.********`);
      expect(JSON.stringify(listed.body)).not.toContain(api_key.key.split('.')[2]);
    });

    it('stores only a hash of the key', async () => {
      const { apiKey } = await api.createProject();
      const secret = apiKey.split('.')[2];
      const rows = await api.database.dataSource.query('SELECT key_hash FROM api_keys');
      expect(JSON.stringify(rows)).not.toContain(secret);
      expect(rows.every((row: { key_hash: string }) => /^[0-9a-f]{64}$/.test(row.key_hash))).toBe(true);
    });

    it("takes Convoy's config and accepts Convoy-only fields it ignores", async () => {
      const response = await api.request('POST', '/api/v1/projects', {
        body: {
          name: 'configured',
          type: 'incoming',
          config: {
            strategy: { type: 'exponential', duration: 3, retry_count: 4 },
            signature: { header: 'X-Sig', versions: [{ hash: 'SHA512', encoding: 'base64' }] },
            ratelimit: { count: 100, duration: 60 },
            disable_endpoint: true,
            max_payload_read_size: 1024,
            search_policy: '720h',
            multiple_endpoint_subscriptions: false,
            meta_event: {
              is_enabled: true,
              type: 'http',
              url: 'https://example.com/meta',
              secret: 's3cret',
              event_type: ['endpoint.created'],
            },
          },
        },
      });
      expect(response.status).toBe(201);
      const config = response.body.data.project.config;
      expect(config.strategy).toEqual({ type: 'exponential', duration: 3, retry_count: 4 });
      expect(config.signature).toEqual({ header: 'X-Sig', versions: [{ hash: 'SHA512', encoding: 'base64' }] });
      expect(config.max_payload_read_size).toBe(1024);
      expect(config.meta_event.secret).toBe('s3cret');
      const read = await api.request('GET', `/api/v1/projects/${response.body.data.project.uid}`);
      expect(read.body.data.config.meta_event.secret).toBe('********');
    });

    it('generates a meta-event secret when none (or "") is given, shown once in the answer', async () => {
      const response = await api.request('POST', '/api/v1/projects', {
        body: {
          name: 'generated',
          type: 'outgoing',
          config: { meta_event: { is_enabled: true, url: 'https://example.com/meta', secret: '' } },
        },
      });
      expect(response.status).toBe(201);
      const secret = response.body.data.project.config.meta_event.secret;
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const id = response.body.data.project.uid;
      const [row] = await api.database.dataSource.query('SELECT config FROM projects WHERE id = $1', [id]);
      expect(row.config.meta_event.secret).toBe(secret);
      const read = await api.request('GET', `/api/v1/projects/${id}`);
      expect(read.body.data.config.meta_event.secret).toBe('********');
    });

    it.each([
      [{ type: 'outgoing' }, 'name'],
      [{ name: 'x', type: 'sideways' }, 'type'],
      [{ name: 'x', type: 'outgoing', config: { strategy: { type: 'fibonacci' } } }, 'config.strategy.type'],
      [{ name: 'x', type: 'outgoing', config: { strategy: { retry_count: -1 } } }, 'config.strategy.retry_count'],
      [
        { name: 'x', type: 'outgoing', config: { signature: { versions: [{ hash: 'MD5', encoding: 'hex' }] } } },
        'config.signature.versions[0].hash',
      ],
      [{ name: 'x', type: 'outgoing', config: { meta_event: { url: 'not a url' } } }, 'config.meta_event.url'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const response = await api.request('POST', '/api/v1/projects', { body });
      expect(response.status).toBe(400);
      expect(response.body.status).toBe(false);
      expect(response.body.message).toContain(field);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it('needs the admin key', async () => {
      const { apiKey } = await api.createProject();
      const asProject = await api.request('POST', '/api/v1/projects', {
        key: apiKey,
        body: { name: 'x', type: 'outgoing' },
      });
      expect(asProject.status).toBe(403);
      const anonymous = await api.request('POST', '/api/v1/projects', {
        key: null,
        body: { name: 'x', type: 'outgoing' },
      });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual({ status: false, message: 'Authentication required' });
    });
  });

  describe('reading, updating and deleting', () => {
    it('lets a project key read and update its own project, 202 on update', async () => {
      const { projectId, apiKey } = await api.createProject();
      const read = await api.request('GET', `/api/v1/projects/${projectId}`, { key: apiKey });
      expect(read.status).toBe(200);
      expect(read.body.data.uid).toBe(projectId);
      const updated = await api.request('PUT', `/api/v1/projects/${projectId}`, {
        key: apiKey,
        body: { name: 'renamed', config: { strategy: { retry_count: 3 } } },
      });
      expect(updated.status).toBe(202);
      expect(updated.body.data.name).toBe('renamed');
      expect(updated.body.data.config.strategy).toEqual({ type: 'linear', duration: 10, retry_count: 3 });
    });

    it('reads `config: null` as unset: the project keeps its config on create and update', async () => {
      const created = await api.request('POST', '/api/v1/projects', {
        body: { name: 'nulls', type: 'outgoing', config: null },
      });
      expect(created.status).toBe(201);
      const { project } = created.body.data;
      expect(project.config.strategy).toEqual({ type: 'linear', duration: 10, retry_count: 10 });
      const updated = await api.request('PUT', `/api/v1/projects/${project.uid}`, {
        body: { name: 'renamed', config: null },
      });
      expect(updated.status).toBe(202);
      expect(updated.body.data).toMatchObject({ name: 'renamed', config: project.config });
    });

    it('accepts the bare key as well as Bearer', async () => {
      const { projectId, apiKey } = await api.createProject();
      const response = await api.request('GET', `/api/v1/projects/${projectId}`, {
        key: null,
        headers: { authorization: apiKey },
      });
      expect(response.status).toBe(200);
    });

    it("refuses another project's key with 403, and a wrong secret with 401", async () => {
      const mine = await api.createProject();
      const theirs = await api.createProject();
      const crossed = await api.request('GET', `/api/v1/projects/${theirs.projectId}`, { key: mine.apiKey });
      expect(crossed.status).toBe(403);
      const forged = mine.apiKey.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'));
      const wrong = await api.request('GET', `/api/v1/projects/${mine.projectId}`, { key: forged });
      expect(wrong.status).toBe(401);
    });

    it('lists every project for the admin and only its own for a project key', async () => {
      const { projectId, apiKey } = await api.createProject();
      const admin = await api.request('GET', '/api/v1/projects');
      expect(admin.body.data.map((p: { uid: string }) => p.uid)).toContain(projectId);
      expect(admin.body.data.length).toBeGreaterThan(1);
      const own = await api.request('GET', '/api/v1/projects', { key: apiKey });
      expect(own.body.data.map((p: { uid: string }) => p.uid)).toEqual([projectId]);
    });

    it('deletes a project: 200, then 404, and its keys stop working', async () => {
      const { projectId, apiKey } = await api.createProject();
      expect((await api.request('DELETE', `/api/v1/projects/${projectId}`)).status).toBe(200);
      expect((await api.request('GET', `/api/v1/projects/${projectId}`)).status).toBe(404);
      expect((await api.request('GET', `/api/v1/projects/${projectId}`, { key: apiKey })).status).toBe(401);
      expect((await api.request('DELETE', `/api/v1/projects/${projectId}`)).status).toBe(404);
    });
  });

  describe('API keys', () => {
    it('issues extra keys with an expiry, and revokes them', async () => {
      const { projectId, apiKey } = await api.createProject();
      const created = await api.request('POST', `/api/v1/projects/${projectId}/keys`, {
        key: apiKey,
        body: { name: 'ci', expiration: 3600 },
      });
      expect(created.status).toBe(201);
      const second = created.body.data.key as string;
      expect(new Date(created.body.data.expires_at).getTime()).toBeGreaterThan(Date.now() + 3500_000);
      expect((await api.request('GET', `/api/v1/projects/${projectId}`, { key: second })).status).toBe(200);
      const revoked = await api.request('DELETE', `/api/v1/projects/${projectId}/keys/${created.body.data.uid}`, {
        key: apiKey,
      });
      expect(revoked.status).toBe(200);
      expect((await api.request('GET', `/api/v1/projects/${projectId}`, { key: second })).status).toBe(401);
    });

    it('refuses an expired key', async () => {
      const { projectId, apiKey } = await api.createProject();
      const created = await api.request('POST', `/api/v1/projects/${projectId}/keys`, {
        key: apiKey,
        body: { name: 'short', expiration: 60 },
      });
      await api.database.dataSource.query(
        `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [created.body.data.uid],
      );
      expect((await api.request('GET', `/api/v1/projects/${projectId}`, { key: created.body.data.key })).status).toBe(
        401,
      );
    });

    it('lets an expiring key create only keys that expire no later than itself', async () => {
      const { projectId, apiKey } = await api.createProject();
      const short = await api.request('POST', `/api/v1/projects/${projectId}/keys`, {
        key: apiKey,
        body: { name: 'short', expiration: 600 },
      });
      const shortKey = short.body.data.key as string;
      const shortExpiry = new Date(short.body.data.expires_at).getTime();

      // No expiration: the child expires with its issuer, never "never".
      const inherited = await api.request('POST', `/api/v1/projects/${projectId}/keys`, {
        key: shortKey,
        body: { name: 'child' },
      });
      expect(inherited.status).toBe(201);
      expect(new Date(inherited.body.data.expires_at).getTime()).toBe(shortExpiry);

      // A later expiry is refused, naming the field; an earlier one is fine.
      const longer = await api.request('POST', `/api/v1/projects/${projectId}/keys`, {
        key: shortKey,
        body: { name: 'child', expiration: 3600 },
      });
      expect(longer.status).toBe(400);
      expect(longer.body.message).toMatch(/^expiration: must not outlive the key that creates it/);
      const sooner = await api.request('POST', `/api/v1/projects/${projectId}/keys`, {
        key: shortKey,
        body: { name: 'child', expiration: 120 },
      });
      expect(sooner.status).toBe(201);
      expect(new Date(sooner.body.data.expires_at).getTime()).toBeLessThanOrEqual(shortExpiry);

      const rows = await api.database.dataSource.query(
        `SELECT count(*)::int AS n FROM api_keys WHERE project_id = $1 AND expires_at IS NULL`,
        [projectId],
      );
      expect(rows[0].n).toBe(1); // only the project's default key, created by the admin
    });

    it('lets a non-expiring key and the admin key create non-expiring keys', async () => {
      const { projectId, apiKey } = await api.createProject();
      for (const key of [apiKey, undefined]) {
        const created = await api.request('POST', `/api/v1/projects/${projectId}/keys`, { key, body: { name: 'k' } });
        expect([created.status, created.body.data.expires_at]).toEqual([201, null]);
      }
    });
  });

  describe('errors', () => {
    it('answers unknown routes with a 404 in the envelope', async () => {
      const response = await api.request('GET', '/api/v1/nowhere');
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ status: false, message: 'route not found: GET /api/v1/nowhere' });
    });

    it('answers a non-JSON body with 415', async () => {
      const response = await api.request('POST', '/api/v1/projects', {
        rawBody: 'name=x&type=outgoing',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(response.status).toBe(415);
      expect(response.body.status).toBe(false);
      expect(response.body.message).toContain('application/json');
    });

    it('answers malformed JSON with a 400, not a 500', async () => {
      const response = await api.request('POST', '/api/v1/projects', {
        rawBody: '{"name": "x",',
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      expect(response.body.status).toBe(false);
      expect(response.body.message).toMatch(/^request body is not valid JSON: /);
    });

    it('never shows the admin key or a stack trace', async () => {
      const response = await api.request('GET', '/api/v1/projects/01JUNKJUNKJUNKJUNKJUNKJUNK');
      expect(response.status).toBe(404);
      expect(JSON.stringify(response.body)).not.toMatch(/at .*\.ts|ADMIN|stack/);
      expect(JSON.stringify(response.body)).not.toContain(ADMIN_KEY);
    });
  });

  describe('retention_policy', () => {
    it('stores a Go duration and shows it; "" keeps everything; is_retention_policy_enabled switches it', async () => {
      const { projectId } = await api.createProject('outgoing', { retention_policy: '720h' });
      const shown = await api.request('GET', `/api/v1/projects/${projectId}`);
      expect(shown.body.data.config).toMatchObject({ retention_policy: '720h', is_retention_policy_enabled: true });

      const off = await api.request('PUT', `/api/v1/projects/${projectId}`, {
        body: { name: 'kept', config: { retention_policy: '1h30m', is_retention_policy_enabled: false } },
      });
      expect(off.status).toBe(202);
      expect(off.body.data.config).toMatchObject({ retention_policy: '1h30m', is_retention_policy_enabled: false });

      const defaults = await api.createProject();
      const plain = await api.request('GET', `/api/v1/projects/${defaults.projectId}`);
      expect(plain.body.data.config).toMatchObject({ retention_policy: '', is_retention_policy_enabled: true });
    });

    it('refuses a policy that is not a Go duration, naming config.retention_policy', async () => {
      const response = await api.request('POST', '/api/v1/projects', {
        body: { name: 'bad-retention', type: 'outgoing', config: { retention_policy: '30 days' } },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'config.retention_policy' })]);
    });
  });
});
