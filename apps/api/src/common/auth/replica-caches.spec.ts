import { eventually } from '@caravan/testing';
import { AUTH_CACHE_TTL_MS } from './api-key-authenticator.service';
import { PROJECT_CACHE_TTL_MS } from '@caravan/intake';
import { ApiHarness, startApiHarness } from '../../testing/api-harness';
import { EventFixtures } from '../../testing/event-fixtures.helper';

/**
 * Keys and project settings are cached per process for a few seconds. Changes made by ANOTHER
 * api replica (simulated by writing the database directly) must take effect within that time.
 */
describe('per-process caches of keys and projects', () => {
  jest.setTimeout(60_000);
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApiHarness();
  });

  afterAll(async () => {
    await api?.close();
  });

  it('stops accepting a key revoked by another replica within the cache time', async () => {
    const { projectId, apiKey } = await api.createProject();
    const read = () => api.request('GET', `/api/v1/projects/${projectId}`, { key: apiKey }).then((r) => r.status);
    expect(await read()).toBe(200);
    await api.database.dataSource.query(`UPDATE api_keys SET revoked_at = now() WHERE project_id = $1`, [projectId]);
    const revokedAt = Date.now();
    expect(await eventually(read, (status) => status === 401, AUTH_CACHE_TTL_MS + 3_000, 100)).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThanOrEqual(AUTH_CACHE_TTL_MS + 1_000);
  });

  it('applies a project setting changed by another replica within the cache time', async () => {
    const { projectId, apiKey } = await api.createProject();
    const endpoint = await new EventFixtures(api.app).endpoint(projectId);
    const send = () =>
      api
        .request('POST', `/api/v1/projects/${projectId}/events`, {
          key: apiKey,
          body: { endpoint_id: endpoint.id, event_type: 't', data: { padding: 'x'.repeat(200) } },
        })
        .then((r) => r.status);
    expect(await send()).toBe(201);
    await api.database.dataSource.query(
      `UPDATE projects SET config = jsonb_set(config, '{max_payload_read_size}', '100') WHERE id = $1`,
      [projectId],
    );
    const changedAt = Date.now();
    expect(await eventually(send, (status) => status === 413, PROJECT_CACHE_TTL_MS + 3_000, 100)).toBe(413);
    expect(Date.now() - changedAt).toBeLessThanOrEqual(PROJECT_CACHE_TTL_MS + 1_000);
  });
});
