import { ApiHarness, startApiHarness } from './testing/api-harness';

/**
 * The OpenAPI document must list every route the api serves (and nothing it does not), so
 * clients generated from it match the code. Routes come from the live Express router.
 */
describe('OpenAPI document', () => {
  jest.setTimeout(60_000);
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApiHarness();
  });

  afterAll(async () => {
    await api?.close();
  });

  function servedRoutes(): string[] {
    const router = api.app.getHttpAdapter().getInstance().router as {
      stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }>;
    };
    return (
      router.stack
        .filter((layer) => layer.route)
        .flatMap((layer) =>
          Object.keys(layer.route?.methods ?? {}).map(
            (method) => `${method.toUpperCase()} ${(layer.route?.path ?? '').replace(/:(\w+)/g, '{$1}')}`,
          ),
        )
        // Middleware mounts (the 415 check on api/v1/*path) are not routes.
        .filter(
          (route) => !route.includes('*') && !route.includes('/api/v1/docs') && !route.endsWith('/api/v1/openapi.json'),
        )
        .sort()
    );
  }

  it('documents exactly the routes the app serves, methods included', async () => {
    const response = await api.request('GET', '/api/v1/openapi.json', { key: null });
    expect(response.status).toBe(200);
    const documented = Object.entries(response.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const served = servedRoutes();
    expect(served.length).toBeGreaterThan(40);
    expect(documented).toEqual(served);
  });

  it('serves a human-readable docs page', async () => {
    const response = await fetch(`${api.url}/api/v1/docs`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger');
  });
});
