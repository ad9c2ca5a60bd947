import { ApiHarness, startApiHarness } from '../testing/api-harness';

describe('functions: test_function and subscription functions (HTTP, real Postgres and Kafka)', () => {
  jest.setTimeout(120_000);
  let api: ApiHarness;
  let projectId: string;
  let key: string;

  const testFunction = (resource: 'sources' | 'subscriptions', body: object, project = projectId, apiKey = key) =>
    api.request('POST', `/api/v1/projects/${project}/${resource}/test_function`, { key: apiKey, body });

  beforeAll(async () => {
    // A generous limit: the test machine may be loaded; the hostile cases reach it anyway.
    api = await startApiHarness({ CARAVAN_TRANSFORM_TIMEOUT_MS: '1000', CARAVAN_TRANSFORM_MEMORY_MB: '8' });
    ({ projectId, apiKey: key } = await api.createProject());
  });

  afterAll(async () => {
    await api?.close();
  });

  it.each(['sources', 'subscriptions'] as const)(
    '%s/test_function returns the transformed payload and the log',
    async (resource) => {
      const response = await testFunction(resource, {
        function:
          'function transform(payload) { console.log("amount", payload.amount); payload.cents = payload.amount * 100; return payload; }',
        payload: { amount: 12 },
      });
      expect(response.status).toBe(200);
      expect(response.body.status).toBe(true);
      expect(response.body.data).toEqual({ payload: { amount: 12, cents: 1200 }, log: ['amount 12'] });
    },
  );

  it('runs a source header function with type "header"', async () => {
    const response = await testFunction('sources', {
      type: 'header',
      function: 'function transform(headers) { return { "x-from": headers.origin }; }',
      payload: { origin: 'kafka' },
    });
    expect(response.body.data.payload).toEqual({ 'x-from': 'kafka' });
  });

  it('answers 400 naming function with the error and its line', async () => {
    const thrown = await testFunction('subscriptions', {
      function: 'function transform(payload) {\n  var total = 0;\n  return payload.missing.field;\n}',
      payload: {},
    });
    expect(thrown.status).toBe(400);
    expect(thrown.body.errors).toEqual([
      { field: 'function', message: expect.stringMatching(/^function: TypeError: .*\(line 3\)$/) },
    ]);
    const syntax = await testFunction('sources', { function: 'function transform(x) { return x', payload: {} });
    expect(syntax.status).toBe(400);
    expect(syntax.body.message).toMatch(/^function: does not compile: SyntaxError/);
  });

  it('stops an infinite loop, a memory bomb and an escape attempt with a 400, and keeps serving', async () => {
    const started = Date.now();
    const loop = await testFunction('subscriptions', {
      function: 'function transform(x) { while (true) {} }',
      payload: {},
    });
    expect(loop.status).toBe(400);
    expect(loop.body.message).toBe('function: exceeded its time limit of 1000 ms');
    expect(Date.now() - started).toBeLessThan(5_000);

    const bomb = await testFunction('subscriptions', {
      function: 'function transform(x) { var a = []; while (true) { a.push("x".repeat(4096) + a.length); } }',
      payload: {},
    });
    expect(bomb.status).toBe(400);
    expect(bomb.body.message).toMatch(/^function: exceeded its (memory limit of 8388608 bytes|time limit of 1000 ms)$/);

    for (const escape of [
      'function transform(x) { return process.env; }',
      'function transform(x) { return require("child_process"); }',
      'function transform(x) { return globalThis.constructor.constructor("return process")().pid; }',
    ]) {
      const response = await testFunction('sources', { function: escape, payload: {} });
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(/^function: ReferenceError: .*(process|require)/);
    }
    expect((await api.request('GET', '/healthz', { key: null })).status).toBe(200);
    expect((await testFunction('sources', { function: 'function transform(x) { return 1; }' })).body.data.payload).toBe(
      1,
    );
  });

  it("refuses bad input naming the field, and another project's key with 403", async () => {
    const missing = await testFunction('subscriptions', { payload: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toContain('function');
    const noTransform = await testFunction('sources', { function: 'function other(x) { return x; }' });
    expect(noTransform.status).toBe(400);
    expect(noTransform.body.message).toContain('function must declare function transform');
    const badType = await testFunction('sources', { function: 'function transform(x) { return x; }', type: 'query' });
    expect(badType.status).toBe(400);
    expect(badType.body.errors[0].field).toBe('type');
    const other = await api.createProject();
    expect(
      (await testFunction('sources', { function: 'function transform(x) { return x; }' }, other.projectId)).status,
    ).toBe(403);
    expect(
      (await testFunction('subscriptions', { function: 'function transform(x) { return x; }' }, other.projectId))
        .status,
    ).toBe(403);
  });

  it('stores a subscription function, shows it, keeps it on "", clears it with null, and refuses one without transform', async () => {
    const endpoint = await api.request('POST', `/api/v1/projects/${projectId}/endpoints`, {
      key,
      body: { name: 'ep', url: 'https://example.com/hook' },
    });
    const code = 'function transform(payload) { return { wrapped: payload }; }';
    const created = await api.request('POST', `/api/v1/projects/${projectId}/subscriptions`, {
      key,
      body: { name: 'fn', endpoint_id: endpoint.body.data.uid, function: code },
    });
    expect(created.status).toBe(201);
    expect(created.body.data.function).toBe(code);
    const id = created.body.data.uid;
    // "" on an update leaves a field as it is (Convoy's rule); null removes the function.
    const kept = await api.request('PUT', `/api/v1/projects/${projectId}/subscriptions/${id}`, {
      key,
      body: { function: '' },
    });
    expect(kept.status).toBe(202);
    expect(kept.body.data.function).toBe(code);
    const cleared = await api.request('PUT', `/api/v1/projects/${projectId}/subscriptions/${id}`, {
      key,
      body: { function: null },
    });
    expect(cleared.status).toBe(202);
    expect(cleared.body.data.function).toBeNull();
    const bad = await api.request('POST', `/api/v1/projects/${projectId}/subscriptions`, {
      key,
      body: { name: 'fn', endpoint_id: endpoint.body.data.uid, function: 'return 1' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('function');
  });
});
