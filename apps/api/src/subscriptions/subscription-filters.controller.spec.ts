import { ApiHarness, startApiHarness } from '../testing/api-harness';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('subscription filters (HTTP, real Postgres and Kafka)', () => {
  jest.setTimeout(90_000);
  let api: ApiHarness;
  let projectId: string;
  let key: string;
  let subscriptionId: string;

  const base = (project: string, subscription: string) =>
    `/api/v1/projects/${project}/subscriptions/${subscription}/filters`;
  const path = (suffix = '') => `${base(projectId, subscriptionId)}${suffix}`;
  const newSubscription = async (project: string, apiKey: string, body: object = {}) => {
    const endpoint = await api.request('POST', `/api/v1/projects/${project}/endpoints`, {
      key: apiKey,
      body: { name: 'ep', url: 'https://example.com/hook' },
    });
    const subscription = await api.request('POST', `/api/v1/projects/${project}/subscriptions`, {
      key: apiKey,
      body: { name: 'sub', endpoint_id: endpoint.body.data.uid, ...body },
    });
    if (subscription.status !== 201) throw new Error(JSON.stringify(subscription.body));
    return subscription.body.data.uid as string;
  };

  beforeAll(async () => {
    api = await startApiHarness();
    ({ projectId, apiKey: key } = await api.createProject());
    subscriptionId = await newSubscription(projectId, key, {
      filter_config: { event_types: ['*'], filter: { body: { amount: { $gte: 1000 } } } },
    });
  });

  afterAll(async () => {
    await api?.close();
  });

  it("creates, reads, lists, updates and deletes a filter in Convoy's shapes, stored flattened", async () => {
    const created = await api.request('POST', path(), {
      key,
      body: {
        event_type: 'invoice.paid',
        body: { customer: { tier: { $in: ['gold'] } } },
        headers: { 'x-tenant': 'acme' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.message).toBe('Filter created successfully');
    expect(created.body.data).toEqual({
      uid: expect.stringMatching(ULID),
      subscription_id: subscriptionId,
      event_type: 'invoice.paid',
      body: { 'customer.tier': { $in: ['gold'] } },
      headers: { 'x-tenant': 'acme' },
      path: {},
      query: {},
      raw_body: { customer: { tier: { $in: ['gold'] } } },
      raw_headers: { 'x-tenant': 'acme' },
      raw_path: {},
      raw_query: {},
      enabled_at: expect.any(String),
    });
    const id = created.body.data.uid;
    const read = await api.request('GET', path(`/${id}`), { key });
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual(created.body.data);

    const updated = await api.request('PUT', path(`/${id}`), { key, body: { body: { amount: 1 }, enabled_at: null } });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({
      event_type: 'invoice.paid',
      body: { amount: 1 },
      headers: { 'x-tenant': 'acme' },
      enabled_at: null,
    });

    const list = await api.request('GET', path(), { key });
    expect(list.status).toBe(200);
    expect(list.body.data.map((f: { uid: string }) => f.uid)).toEqual([id]);

    const removed = await api.request('DELETE', path(`/${id}`), { key });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ status: true, message: 'Filter deleted successfully', data: null });
    expect((await api.request('GET', path(`/${id}`), { key })).status).toBe(404);
  });

  it('creates and updates in bulk, all or nothing', async () => {
    const bulk = await api.request('POST', path('/bulk'), {
      key,
      body: [
        { event_type: 'a.one', body: { x: 1 } },
        { event_type: 'a.two', headers: { 'x-h': { $regex: '^v' } } },
      ],
    });
    expect(bulk.status).toBe(201);
    expect(bulk.body.data.map((f: { event_type: string }) => f.event_type)).toEqual(['a.one', 'a.two']);
    const [one, two] = bulk.body.data;

    const taken = await api.request('POST', path('/bulk'), {
      key,
      body: [{ event_type: 'a.three' }, { event_type: 'a.one' }],
    });
    expect(taken.status).toBe(400);
    expect(taken.body.message).toContain('a.one');
    const all = await api.request('GET', path(), { key });
    expect(all.body.data.map((f: { event_type: string }) => f.event_type)).not.toContain('a.three');

    const updated = await api.request('PUT', path('/bulk_update'), {
      key,
      body: [
        { uid: one.uid, body: { x: 2 } },
        { uid: two.uid, event_type: 'a.renamed' },
      ],
    });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toEqual([
      expect.objectContaining({ uid: one.uid, event_type: 'a.one', body: { x: 2 } }),
      expect.objectContaining({ uid: two.uid, event_type: 'a.renamed', headers: { 'x-h': { $regex: '^v' } } }),
    ]);

    const unknown = await api.request('PUT', path('/bulk_update'), {
      key,
      body: [
        { uid: one.uid, body: { x: 3 } },
        { uid: '01HZZZZZZZZZZZZZZZZZZZZZZZ', body: {} },
      ],
    });
    expect(unknown.status).toBe(404);
    expect((await api.request('GET', path(`/${one.uid}`), { key })).body.data.body).toEqual({ x: 2 });
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const noType = await api.request('POST', path(), { key, body: { body: {} } });
    expect(noType.status).toBe(400);
    expect(noType.body.errors[0].field).toBe('event_type');

    const badOperator = await api.request('POST', path(), {
      key,
      body: { event_type: 'b', body: { a: { $nope: 1 } } },
    });
    expect(badOperator.status).toBe(400);
    expect(badOperator.body.message).toContain('body.a');

    const badDate = await api.request('POST', path(), { key, body: { event_type: 'b', enabled_at: '2024-W01-1' } });
    expect(badDate.status).toBe(400);
    expect(badDate.body.errors).toEqual([
      { field: 'enabled_at', message: 'enabled_at: must be an RFC 3339 date-time or null' },
    ]);

    const bulkBad = await api.request('POST', path('/bulk'), {
      key,
      body: [{ event_type: 'ok' }, { event_type: 'c', body: { $or: 'x' } }, { nope: 1, event_type: '' }],
    });
    expect(bulkBad.status).toBe(400);
    const fields = bulkBad.body.errors.map((e: { field: string }) => e.field);
    // Each element is read like a single body: the unknown field is ignored, the empty type named.
    expect(fields).toEqual(expect.arrayContaining(['[2].event_type']));
    expect(fields).not.toContain('[2].nope');
    const notArray = await api.request('POST', path('/bulk'), { key, body: { event_type: 'x' } });
    expect(notArray.status).toBe(400);
    expect(notArray.body.errors[0].field).toBe('body');
    const twice = await api.request('POST', path('/bulk'), { key, body: [{ event_type: 'e' }, { event_type: 'e' }] });
    expect(twice.status).toBe(400);
    expect(twice.body.errors[0].field).toBe('[1].event_type');
  });

  it("tests a payload against the filter the router would use (the type's, else the subscription's)", async () => {
    const sub = await newSubscription(projectId, key, {
      filter_config: { filter: { body: { amount: { $gte: 1000 } } } },
    });
    await api.request('POST', `${base(projectId, sub)}`, {
      key,
      body: { event_type: 'order.paid', body: { region: 'eu' }, headers: { 'x-tenant': 'acme' } },
    });
    const test = (eventType: string, body: object) =>
      api.request('POST', `${base(projectId, sub)}/test/${eventType}`, { key, body });

    const typed = await test('order.paid', { request: { body: { region: 'eu' }, headers: { 'X-Tenant': 'acme' } } });
    expect(typed.status).toBe(200);
    expect(typed.body).toEqual({ status: true, message: 'Filter tested successfully', data: { is_match: true } });
    expect(
      (await test('order.paid', { payload: { region: 'eu' }, request: { header: { 'x-tenant': 'other' } } })).body.data
        .is_match,
    ).toBe(false);
    // Another type falls back to the subscription's own filter.
    expect((await test('order.refunded', { payload: { amount: 5000 } })).body.data.is_match).toBe(true);
    expect((await test('order.refunded', { payload: { region: 'eu' } })).body.data.is_match).toBe(false);
    // Non-string header values are matched as text, not a 500.
    expect(
      (await test('order.paid', { payload: { region: 'eu' }, request: { headers: { 'x-tenant': 5 } } })).status,
    ).toBe(200);
  });

  it("refuses another project's key (403) and hides another project's subscriptions and filters (404)", async () => {
    const other = await api.createProject();
    const theirSubscription = await newSubscription(other.projectId, other.apiKey);
    const theirFilter = await api.request('POST', base(other.projectId, theirSubscription), {
      key: other.apiKey,
      body: { event_type: 'x' },
    });
    expect(theirFilter.status).toBe(201);
    const theirId = theirFilter.body.data.uid;

    expect((await api.request('GET', base(other.projectId, theirSubscription), { key })).status).toBe(403);
    expect((await api.request('GET', base(projectId, theirSubscription), { key })).status).toBe(404);
    expect(
      (await api.request('POST', base(projectId, theirSubscription), { key, body: { event_type: 'y' } })).status,
    ).toBe(404);
    expect((await api.request('GET', path(`/${theirId}`), { key })).status).toBe(404);
    expect((await api.request('PUT', path(`/${theirId}`), { key, body: { body: { a: 1 } } })).status).toBe(404);
    expect((await api.request('DELETE', path(`/${theirId}`), { key })).status).toBe(404);
    expect((await api.request('PUT', path('/bulk_update'), { key, body: [{ uid: theirId, body: {} }] })).status).toBe(
      404,
    );
    expect((await api.request('POST', `${base(projectId, theirSubscription)}/test/x`, { key, body: {} })).status).toBe(
      404,
    );
    const still = await api.request('GET', base(other.projectId, theirSubscription), { key: other.apiKey });
    expect(still.body.data).toEqual([expect.objectContaining({ uid: theirId, body: {} })]);
  });
});
