import { MetaEventStatus } from '@caravan/domain';
import { ApiHarness, startApiHarness } from '../testing/api-harness';
import { collectDoorbells, Doorbells, EventFixtures, waitFor } from '../testing/event-fixtures.helper';

describe('meta events (HTTP, real Postgres and Kafka)', () => {
  jest.setTimeout(60_000);
  let api: ApiHarness;
  let fixtures: EventFixtures;
  let bells: Doorbells;

  beforeAll(async () => {
    api = await startApiHarness();
    fixtures = new EventFixtures(api.app);
    bells = await collectDoorbells(api.kafka, api.config.kafka.topics.deliveries);
  });

  afterAll(async () => {
    await bells?.stop();
    await api?.close();
  });

  async function project() {
    const { projectId, apiKey } = await api.createProject('outgoing', {
      strategy: { type: 'exponential', duration: 7, retry_count: 4 },
    });
    const call = (method: string, path = '') =>
      api.request(method, `/api/v1/projects/${projectId}/meta-events${path}`, { key: apiKey });
    return { projectId, apiKey, call };
  }

  it('lists with cursor pages, none lost or repeated', async () => {
    const p = await project();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await fixtures.metaEvent(p.projectId)).id);
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    for (;;) {
      const response = await p.call('GET', `?perPage=2${cursor ? `&next_page_cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      pages += 1;
      seen.push(...response.body.data.content.map((m: { uid: string }) => m.uid));
      if (!response.body.data.pagination.has_next_page) break;
      cursor = response.body.data.pagination.next_page_cursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    const lenient = await p.call('GET', '?perPage=0');
    expect(lenient.status).toBe(200);
    expect(lenient.body.data.pagination.per_page).toBe(20);
  });

  it('reads one meta event with its payload and retry metadata; 404 elsewhere', async () => {
    const p = await project();
    const metaEvent = await fixtures.metaEvent(p.projectId, MetaEventStatus.Failure);
    const response = await p.call('GET', `/${metaEvent.id}`);
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({
      uid: metaEvent.id,
      project_id: p.projectId,
      event_type: 'endpoint.created',
      status: 'Failure',
      metadata: {
        data: { event_type: 'endpoint.created', data: { uid: expect.any(String) } },
        raw: metaEvent.payload.toString(),
        strategy: 'exponential',
        interval_seconds: 7,
        num_trials: 0,
        retry_limit: 3,
      },
      attempt: null,
    });
    const other = await project();
    expect((await other.call('GET', `/${metaEvent.id}`)).status).toBe(404);
    const crossed = await api.request('GET', `/api/v1/projects/${p.projectId}/meta-events`, { key: other.apiKey });
    expect(crossed.status).toBe(403);
  });

  it('resends: Scheduled now, and a `meta` doorbell', async () => {
    const p = await project();
    const metaEvent = await fixtures.metaEvent(p.projectId, MetaEventStatus.Failure);
    await api.database.dataSource.query(
      `UPDATE meta_events SET next_send_time = now() + interval '1 day' WHERE id = $1`,
      [metaEvent.id],
    );
    const response = await p.call('PUT', `/${metaEvent.id}/resend`);
    expect(response.status).toBe(200);
    expect(response.body.data.status).toBe('Scheduled');
    const [row] = await api.database.dataSource.query('SELECT status, next_send_time FROM meta_events WHERE id = $1', [
      metaEvent.id,
    ]);
    expect(row.status).toBe('Scheduled');
    expect(Math.abs(new Date(row.next_send_time).getTime() - Date.now())).toBeLessThan(5_000);
    const bell = await waitFor(
      () => bells.messages.find((m) => m.value['delivery_id'] === metaEvent.id),
      20_000,
      'the doorbell',
    );
    expect(bell).toEqual({
      key: `meta:${p.projectId}`,
      value: { project_id: p.projectId, endpoint_id: '', delivery_id: metaEvent.id, kind: 'meta' },
    });
  });

  it('refuses to resend one being sent (400) and unknown ones (404)', async () => {
    const p = await project();
    const metaEvent = await fixtures.metaEvent(p.projectId, MetaEventStatus.Processing);
    const response = await p.call('PUT', `/${metaEvent.id}/resend`);
    expect(response.status).toBe(400);
    expect(response.body.message).toContain('Processing');
    expect((await p.call('PUT', '/01JUNKJUNKJUNKJUNKJUNKJUNK/resend')).status).toBe(404);
  });
});
