import { ApiHarness, startApiHarness } from './testing/api-harness';
import { servedRoutes } from './testing/served-routes';

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

  it('documents exactly the routes the app serves, methods included', async () => {
    const response = await api.request('GET', '/api/v1/openapi.json', { key: null });
    expect(response.status).toBe(200);
    const documented = Object.entries(response.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const served = servedRoutes(api.app);
    expect(served.length).toBeGreaterThan(40);
    expect(documented).toEqual(served);
  });

  it('serves a human-readable docs page', async () => {
    const response = await fetch(`${api.url}/api/v1/docs`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger');
  });
});
