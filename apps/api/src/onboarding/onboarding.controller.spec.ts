import { ApiHarness, startApiHarness } from '../testing/api-harness';

describe('bulk onboarding (HTTP, real Postgres)', () => {
  jest.setTimeout(90_000);
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApiHarness();
  });

  afterAll(async () => {
    await api?.close();
  });

  const onboard = (projectId: string, key: string, body: unknown, query = '') =>
    api.request('POST', `/api/v1/projects/${projectId}/onboard${query}`, { key, body });
  const endpointsOf = async (projectId: string, key: string) =>
    (await api.request('GET', `/api/v1/projects/${projectId}/endpoints?perPage=100`, { key })).body.data
      .content as Array<Record<string, any>>;
  const subscriptionsOf = async (projectId: string, key: string) =>
    (await api.request('GET', `/api/v1/projects/${projectId}/subscriptions?perPage=100`, { key })).body.data
      .content as Array<Record<string, any>>;
  const upload = async (projectId: string, key: string, csv: string, query = '') => {
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'endpoints.csv');
    const response = await fetch(`${api.url}/api/v1/projects/${projectId}/onboard${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it('creates every endpoint with its subscription from JSON items (202), basic auth and event type included', async () => {
    const { projectId, apiKey } = await api.createProject();
    const response = await onboard(projectId, apiKey, {
      items: [
        { name: 'billing', url: 'https://billing.example.com/hook', event_type: 'invoice.paid' },
        { name: 'crm', url: 'https://crm.example.com/hook', auth_username: 'user', auth_password: 'pa:ss' },
      ],
    });
    expect(response.status).toBe(202);
    expect(response.body.status).toBe(true);
    expect(response.body.data).toMatchObject({ total_items: 2, batch_count: 1 });
    expect(response.body.data.endpoints.map((e: { name: string }) => e.name)).toEqual(['billing', 'crm']);

    const endpoints = await endpointsOf(projectId, apiKey);
    const byName = Object.fromEntries(endpoints.map((endpoint) => [endpoint.name, endpoint]));
    expect(byName['billing'].url).toBe('https://billing.example.com/hook');
    expect(byName['billing'].secrets).toHaveLength(1);
    expect(byName['crm'].authentication).toEqual({
      type: 'api_key',
      api_key: { header_name: 'Authorization', header_value: `Basic ${Buffer.from('user:pa:ss').toString('base64')}` },
      basic_auth: null,
      oauth2: null,
    });
    const subscriptions = await subscriptionsOf(projectId, apiKey);
    const typesByEndpoint = Object.fromEntries(
      subscriptions.map((s) => [s.endpoint_metadata?.name ?? s.endpoint_id, s.filter_config.event_types]),
    );
    expect(typesByEndpoint).toEqual({ billing: ['invoice.paid'], crm: ['*'] });
  });

  it('dry_run reports what would be created and every row’s error, creating nothing (200)', async () => {
    const { projectId, apiKey } = await api.createProject();
    const response = await onboard(
      projectId,
      apiKey,
      {
        items: [
          { name: 'good', url: 'https://good.example.com' },
          { name: 'bad-url', url: 'not a url' },
          { url: 'https://nameless.example.com', auth_username: 'only-user' },
          'not an object',
        ],
      },
      '?dry_run=true',
    );
    expect(response.status).toBe(200);
    expect(response.body.data.total_rows).toBe(4);
    expect(response.body.data.valid_count).toBe(1);
    const errors = response.body.data.errors as Array<{ row: number; field: string; message: string }>;
    expect(errors.map(({ row, field }) => ({ row, field }))).toEqual(
      expect.arrayContaining([
        { row: 2, field: 'url' },
        { row: 3, field: 'auth_password' },
        { row: 4, field: 'item' },
      ]),
    );
    expect(errors.every((error) => error.row !== 1)).toBe(true);
    expect(await endpointsOf(projectId, apiKey)).toEqual([]);
  });

  it('is all-or-nothing: one bad row is a 400 naming its row and field, and nothing is created', async () => {
    const { projectId, apiKey } = await api.createProject();
    const response = await onboard(projectId, apiKey, {
      items: [
        { name: 'fine', url: 'https://fine.example.com' },
        { name: '', url: 'https://fine.example.com/2' },
      ],
    });
    expect(response.status).toBe(400);
    expect(response.body.status).toBe(false);
    expect(response.body.message).toContain('row 2');
    expect(response.body.errors).toEqual([expect.objectContaining({ row: 2, field: 'name' })]);
    expect(await endpointsOf(projectId, apiKey)).toEqual([]);
  });

  it("applies the endpoint rules of POST /endpoints (a project's enforce_secure_endpoints refuses http URLs)", async () => {
    const { projectId, apiKey } = await api.createProject('outgoing', { ssl: { enforce_secure_endpoints: true } });
    const response = await onboard(projectId, apiKey, { items: [{ name: 'plain', url: 'http://plain.example.com' }] });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      expect.objectContaining({ row: 1, field: 'url', message: expect.stringContaining('https') }),
    ]);
  });

  it('takes a CSV file uploaded as multipart/form-data "file" (dry run and for real)', async () => {
    const { projectId, apiKey } = await api.createProject();
    const csv =
      'name,url,event_type,auth_username,auth_password\n' +
      'orders,https://orders.example.com/hook,order.created,,\n' +
      '"ship, fast",https://ship.example.com/hook,,bob,secret\n';
    const dry = await upload(projectId, apiKey, csv, '?dry_run=true');
    expect(dry.status).toBe(200);
    expect(dry.body.data).toEqual({ total_rows: 2, valid_count: 2, errors: [] });
    expect(await endpointsOf(projectId, apiKey)).toEqual([]);

    const created = await upload(projectId, apiKey, csv);
    expect(created.status).toBe(202);
    expect(created.body.data.total_items).toBe(2);
    expect((await endpointsOf(projectId, apiKey)).map((endpoint) => endpoint.name).sort()).toEqual([
      'orders',
      'ship, fast',
    ]);
  });

  it('refuses a CSV without the name and url columns (400 naming file), missing items (400 naming items), other media types (415)', async () => {
    const { projectId, apiKey } = await api.createProject();
    const headerless = await upload(projectId, apiKey, 'title,link\nx,https://x.example.com\n');
    expect(headerless.status).toBe(400);
    expect(headerless.body.errors).toEqual([expect.objectContaining({ field: 'file' })]);

    const empty = await onboard(projectId, apiKey, {});
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([expect.objectContaining({ field: 'items' })]);
    const none = await onboard(projectId, apiKey, { items: [] });
    expect(none.status).toBe(400);
    expect(none.body.errors).toEqual([expect.objectContaining({ field: 'items' })]);

    const text = await api.request('POST', `/api/v1/projects/${projectId}/onboard`, {
      key: apiKey,
      rawBody: 'name,url',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
  });

  it("is tenant-scoped: another project's key gets 403 and creates nothing there", async () => {
    const owner = await api.createProject();
    const other = await api.createProject();
    const response = await onboard(owner.projectId, other.apiKey, {
      items: [{ name: 'sneaky', url: 'https://sneaky.example.com' }],
    });
    expect(response.status).toBe(403);
    expect(await endpointsOf(owner.projectId, owner.apiKey)).toEqual([]);
    expect(await endpointsOf(other.projectId, other.apiKey)).toEqual([]);
  });
});
