import { ApiHarness, startApiHarness } from '../testing/api-harness';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const INVOICE_SCHEMA = {
  type: 'object',
  required: ['amount', 'customer'],
  properties: {
    amount: { type: 'integer', minimum: 0 },
    customer: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^cus_[a-z0-9]+$' } } },
  },
};

describe('event types (HTTP, real Postgres and Kafka)', () => {
  jest.setTimeout(90_000);
  let api: ApiHarness;
  let projectId: string;
  let key: string;

  const path = (project: string, suffix = '') => `/api/v1/projects/${project}/event-types${suffix}`;
  const create = async (body: object, project = projectId, apiKey = key) => {
    const response = await api.request('POST', path(project), { key: apiKey, body });
    if (response.status !== 201) throw new Error(`event type: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.data;
  };

  beforeAll(async () => {
    api = await startApiHarness();
    ({ projectId, apiKey: key } = await api.createProject());
  });

  afterAll(async () => {
    await api?.close();
  });

  it("creates, lists, updates and deprecates event types in Convoy's shapes and status codes", async () => {
    const created = await api.request('POST', path(projectId), {
      key,
      body: {
        name: 'invoice.paid',
        description: 'An invoice was paid',
        category: 'billing',
        json_schema: INVOICE_SCHEMA,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      status: true,
      message: 'Event type created successfully',
      data: {
        uid: expect.stringMatching(ULID),
        name: 'invoice.paid',
        description: 'An invoice was paid',
        category: 'billing',
        json_schema: INVOICE_SCHEMA,
        deprecated_at: null,
      },
    });
    const id = created.body.data.uid;
    // Convoy's clients send "" for strings they leave unset.
    const plain = await create({ name: 'invoice.voided', description: '', category: '' });
    expect(plain).toMatchObject({ description: '', category: '', json_schema: null });

    const updated = await api.request('PUT', path(projectId, `/${id}`), {
      key,
      body: { description: 'Paid in full', json_schema: null },
    });
    expect(updated.status).toBe(201);
    // null is Go's nil map, "not set": the schema stays.
    expect(updated.body.data).toMatchObject({
      uid: id,
      name: 'invoice.paid',
      description: 'Paid in full',
      category: 'billing',
      json_schema: INVOICE_SCHEMA,
    });

    const deprecated = await api.request('POST', path(projectId, `/${id}/deprecate`), { key });
    expect(deprecated.status).toBe(201);
    expect(deprecated.body.data.deprecated_at).toEqual(expect.any(String));
    const again = await api.request('POST', path(projectId, `/${id}/deprecate`), { key });
    expect(again.body.data.deprecated_at).toBe(deprecated.body.data.deprecated_at);

    const list = await api.request('GET', path(projectId), { key });
    expect(list.status).toBe(200);
    expect(list.body.data.map((type: { name: string }) => type.name)).toEqual(['invoice.paid', 'invoice.voided']);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const missing = await api.request('POST', path(projectId), { key, body: { description: 'no name' } });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('name');

    const badSchema = await api.request('POST', path(projectId), {
      key,
      body: { name: 'bad.schema', json_schema: { type: 'no-such-type' } },
    });
    expect(badSchema.status).toBe(400);
    expect(badSchema.body.errors).toEqual([
      { field: 'json_schema', message: expect.stringContaining('json_schema: is not a valid JSON Schema') },
    ]);

    const notObject = await api.request('POST', path(projectId), { key, body: { name: 'x', json_schema: [1] } });
    expect(notObject.status).toBe(400);
    expect(notObject.body.message).toContain('json_schema');

    await create({ name: 'dup.type' });
    const duplicate = await api.request('POST', path(projectId), { key, body: { name: 'dup.type' } });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.errors[0].field).toBe('name');

    const unknown = await api.request('PUT', path(projectId, '/01HZZZZZZZZZZZZZZZZZZZZZZZ'), { key, body: {} });
    expect(unknown.status).toBe(404);
  });

  it('imports webhooks from an OpenAPI document (JSON or YAML), creating or updating types', async () => {
    const { projectId: project, apiKey } = await api.createProject();
    await create({ name: 'order.created', description: 'old' }, project, apiKey);
    const spec = {
      openapi: '3.1.0',
      info: { title: 'Shop', version: '1' },
      webhooks: {
        'order.created': {
          post: {
            summary: 'An order was placed',
            tags: ['orders'],
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' } } } },
          },
        },
        'order.shipped': { post: { description: 'Shipped', requestBody: { content: {} } } },
      },
      components: {
        schemas: {
          Order: {
            type: 'object',
            required: ['id'],
            properties: {
              id: { type: 'string' },
              lines: { type: 'array', items: { $ref: '#/components/schemas/Line' } },
            },
          },
          Line: {
            type: 'object',
            properties: { sku: { type: 'string' }, child: { $ref: '#/components/schemas/Line' } },
          },
        },
      },
    };
    const imported = await api.request('POST', path(project, '/import'), {
      key: apiKey,
      body: { spec: JSON.stringify(spec) },
    });
    expect(imported.status).toBe(200);
    expect(imported.body.message).toBe('Event types imported successfully');
    const byName = Object.fromEntries(imported.body.data.map((type: { name: string }) => [type.name, type]));
    expect(byName['order.created']).toMatchObject({ description: 'An order was placed', category: 'orders' });
    expect(byName['order.created'].json_schema).toMatchObject({
      $ref: '#/definitions/Order',
      definitions: { Order: { required: ['id'] }, Line: { properties: { child: { $ref: '#/definitions/Line' } } } },
    });
    expect(byName['order.shipped']).toMatchObject({ description: 'Shipped', json_schema: null });
    const list = await api.request('GET', path(project), { key: apiKey });
    expect(list.body.data).toHaveLength(2);

    const yaml = [
      'openapi: 3.0.3',
      'info: {title: Shop, version: "1"}',
      'x-webhooks:',
      '  refund.issued:',
      '    post:',
      '      requestBody:',
      '        content:',
      '          application/json:',
      '            schema: {type: object, properties: {amount: {type: number}}}',
    ].join('\n');
    const fromYaml = await api.request('POST', path(project, '/import'), { key: apiKey, body: { spec: yaml } });
    expect(fromYaml.status).toBe(200);
    expect(fromYaml.body.data).toEqual([
      expect.objectContaining({
        name: 'refund.issued',
        json_schema: { type: 'object', properties: { amount: { type: 'number' } } },
      }),
    ]);

    const none = await api.request('POST', path(project, '/import'), {
      key: apiKey,
      body: { spec: '{"openapi":"3.1.0"}' },
    });
    expect(none.status).toBe(400);
    expect(none.body.message).toBe('spec: has no webhooks (or x-webhooks) section');
    const garbage = await api.request('POST', path(project, '/import'), { key: apiKey, body: { spec: '{"a": [' } });
    expect(garbage.status).toBe(400);
    expect(garbage.body.errors[0].field).toBe('spec');
    const dangling = await api.request('POST', path(project, '/import'), {
      key: apiKey,
      body: {
        spec: JSON.stringify({
          webhooks: {
            a: {
              post: {
                requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Nope' } } } },
              },
            },
          },
        }),
      },
    });
    expect(dangling.status).toBe(400);
    expect(dangling.body.message).toContain('spec.webhooks.a.requestBody');
    expect((await api.request('GET', path(project), { key: apiKey })).body.data).toHaveLength(3);
  });

  it("refuses another project's key (403) and hides another project's types (404)", async () => {
    const other = await api.createProject();
    const theirs = await create({ name: 'theirs.only' }, other.projectId, other.apiKey);
    expect((await api.request('GET', path(other.projectId), { key })).status).toBe(403);
    expect((await api.request('POST', path(other.projectId), { key, body: { name: 'x' } })).status).toBe(403);
    expect(
      (await api.request('PUT', path(projectId, `/${theirs.uid}`), { key, body: { description: 'mine' } })).status,
    ).toBe(404);
    expect((await api.request('POST', path(projectId, `/${theirs.uid}/deprecate`), { key })).status).toBe(404);
    const mine = (await api.request('GET', path(projectId), { key })).body.data;
    expect(mine.map((type: { uid: string }) => type.uid)).not.toContain(theirs.uid);
    const untouched = (await api.request('GET', path(other.projectId), { key: other.apiKey })).body.data;
    expect(untouched).toEqual([expect.objectContaining({ uid: theirs.uid, description: '', deprecated_at: null })]);
  });

  describe('validating events against their type (validate_event_data)', () => {
    it('refuses data that fails the schema with a 400 naming the failing paths, accepts valid data', async () => {
      const strict = await api.createProject('outgoing', { validate_event_data: true });
      expect(
        (await api.request('GET', `/api/v1/projects/${strict.projectId}`, { key: strict.apiKey })).body.data.config
          .validate_event_data,
      ).toBe(true);
      await create({ name: 'invoice.paid', json_schema: INVOICE_SCHEMA }, strict.projectId, strict.apiKey);
      const endpoint = await api.request('POST', `/api/v1/projects/${strict.projectId}/endpoints`, {
        key: strict.apiKey,
        body: { name: 'ep', url: 'https://example.com/hook' },
      });
      const send = (data: unknown, eventType = 'invoice.paid') =>
        api.request('POST', `/api/v1/projects/${strict.projectId}/events`, {
          key: strict.apiKey,
          body: { endpoint_id: endpoint.body.data.uid, event_type: eventType, data },
        });

      const bad = await send({ amount: 'ten', customer: { id: 'CUS 1' } });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('data/amount must be integer');
      expect(bad.body.message).toContain('data/customer/id must match pattern');
      expect(bad.body.errors).toEqual([{ field: 'data', message: bad.body.message }]);
      const missing = await send({ amount: 1 });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toContain('data/customer must have required property');

      expect((await send({ amount: 10, customer: { id: 'cus_1' } })).status).toBe(201);
      // Types without a schema, and uncatalogued types, are not validated.
      expect((await send({ anything: true }, 'not.catalogued')).status).toBe(201);
      const stored = await api.database.dataSource.query(
        'SELECT count(*)::int AS n FROM events WHERE project_id = $1',
        [strict.projectId],
      );
      expect(stored[0].n).toBe(2);
    });

    it('does not validate when the project option is off (the default, as Convoy)', async () => {
      const lax = await api.createProject();
      await create({ name: 'invoice.paid', json_schema: INVOICE_SCHEMA }, lax.projectId, lax.apiKey);
      const endpoint = await api.request('POST', `/api/v1/projects/${lax.projectId}/endpoints`, {
        key: lax.apiKey,
        body: { name: 'ep', url: 'https://example.com/hook' },
      });
      const response = await api.request('POST', `/api/v1/projects/${lax.projectId}/events`, {
        key: lax.apiKey,
        body: { endpoint_id: endpoint.body.data.uid, event_type: 'invoice.paid', data: { amount: 'ten' } },
      });
      expect(response.status).toBe(201);
    });

    it('sees a schema change at once (the api forgets its cached schema)', async () => {
      const strict = await api.createProject('outgoing', { validate_event_data: true });
      const type = await create(
        { name: 'ping', json_schema: { type: 'object', required: ['a'] } },
        strict.projectId,
        strict.apiKey,
      );
      const endpoint = await api.request('POST', `/api/v1/projects/${strict.projectId}/endpoints`, {
        key: strict.apiKey,
        body: { name: 'ep', url: 'https://example.com/hook' },
      });
      const send = () =>
        api.request('POST', `/api/v1/projects/${strict.projectId}/events`, {
          key: strict.apiKey,
          body: { endpoint_id: endpoint.body.data.uid, event_type: 'ping', data: { b: 1 } },
        });
      expect((await send()).status).toBe(400);
      await api.request('PUT', path(strict.projectId, `/${type.uid}`), {
        key: strict.apiKey,
        body: { json_schema: { type: 'object', required: ['b'] } },
      });
      expect((await send()).status).toBe(201);
    });
  });
});
