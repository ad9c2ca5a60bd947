import { DeliveryStatus, EndpointStatus } from '@caravan/domain';
import { ApiHarness, startApiHarness } from '../testing/api-harness';
import { collectDoorbells, Doorbells, EventFixtures, waitFor } from '../testing/event-fixtures.helper';

const { Scheduled, Processing, Success, Retry, Failure, Discarded } = DeliveryStatus;

describe('event deliveries (HTTP, real Postgres and Kafka)', () => {
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

  /** A project with an active endpoint and one event to it. */
  async function world(status: EndpointStatus = EndpointStatus.Active) {
    const { projectId, apiKey } = await api.createProject();
    const endpoint = await fixtures.endpoint(projectId, { status });
    const event = await api.request('POST', `/api/v1/projects/${projectId}/events`, {
      key: apiKey,
      body: { endpoint_id: endpoint.id, event_type: 'invoice.paid', data: { amount: 5 }, idempotency_key: 'idem-1' },
    });
    const call = (method: string, path: string, body?: unknown) =>
      api.request(method, `/api/v1/projects/${projectId}/eventdeliveries${path}`, { key: apiKey, body });
    return { projectId, apiKey, endpoint, eventId: event.body.data.uid as string, call };
  }

  const statusOf = async (id: string) =>
    (await api.database.dataSource.query('SELECT status, next_send_time FROM event_deliveries WHERE id = $1', [id]))[0];

  describe('GET /eventdeliveries', () => {
    it('lists with filters (repeated status and endpointId, eventId, eventType, dates) and pages without loss', async () => {
      const w = await world();
      const other = await fixtures.endpoint(w.projectId);
      const ids = [];
      for (const status of [Success, Failure, Failure, Retry, Discarded]) {
        ids.push(await fixtures.delivery(w.projectId, w.eventId, w.endpoint.id, status));
      }
      const elsewhere = await fixtures.delivery(w.projectId, w.eventId, other.id, Success, { eventType: 'other.type' });

      const seen: string[] = [];
      let cursor = '';
      for (let pages = 0; pages < 10; pages += 1) {
        const page = await w.call('GET', `?perPage=2${cursor ? `&next_page_cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        seen.push(...page.body.data.content.map((d: { uid: string }) => d.uid));
        if (!page.body.data.pagination.has_next_page) break;
        cursor = page.body.data.pagination.next_page_cursor;
      }
      expect(seen).toEqual([...ids, elsewhere].reverse());

      const failures = await w.call('GET', '?status=Failure&status=Discarded');
      expect(failures.body.data.content.map((d: { uid: string }) => d.uid).sort()).toEqual(
        [ids[1], ids[2], ids[4]].sort(),
      );
      const bracketed = await w.call('GET', '?status[]=Retry');
      expect(bracketed.body.data.content.map((d: { uid: string }) => d.uid)).toEqual([ids[3]]);
      const byEndpoint = await w.call('GET', `?endpointId=${other.id}`);
      expect(byEndpoint.body.data.content.map((d: { uid: string }) => d.uid)).toEqual([elsewhere]);
      const byType = await w.call('GET', '?eventType=other.type');
      expect(byType.body.data.content).toHaveLength(1);
      const byEvent = await w.call('GET', `?eventId=${w.eventId}&perPage=100`);
      expect(byEvent.body.data.content).toHaveLength(6);
      const byKey = await w.call('GET', '?idempotencyKey=nope');
      expect(byKey.body.data.content).toHaveLength(0);
      const future = await w.call('GET', `?startDate=${new Date(Date.now() + 60_000).toISOString()}`);
      expect(future.body.data.content).toHaveLength(0);

      const item = failures.body.data.content[0];
      expect(item.endpoint_metadata).toMatchObject({ uid: w.endpoint.id, url: w.endpoint.url, status: 'active' });
      expect(item.endpoint_metadata).not.toHaveProperty('secrets');
      expect(item.event_metadata).toMatchObject({ uid: w.eventId, event_type: 'invoice.paid' });
    });

    it.each([
      ['?status=Lost', 'status'],
      ['?startDate=soon', 'startDate'],
    ])('refuses %s with a 400 naming %s', async (query, field) => {
      const w = await world();
      const response = await w.call('GET', query);
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(field);
    });

    it("refuses another project's key (403) and hides other projects' deliveries (404)", async () => {
      const mine = await world();
      const theirs = await world();
      const id = await fixtures.delivery(theirs.projectId, theirs.eventId, theirs.endpoint.id, Success);
      const crossed = await api.request('GET', `/api/v1/projects/${theirs.projectId}/eventdeliveries`, {
        key: mine.apiKey,
      });
      expect(crossed.status).toBe(403);
      expect((await mine.call('GET', `/${id}`)).status).toBe(404);
      expect((await mine.call('PUT', `/${id}/resend`)).status).toBe(404);
    });
  });

  describe('GET /eventdeliveries/:id', () => {
    it('shows endpoint_metadata, event_metadata, metadata, status and description', async () => {
      const w = await world();
      const id = await fixtures.delivery(w.projectId, w.eventId, w.endpoint.id, Retry, { attempts: 2 });
      const response = await w.call('GET', `/${id}`);
      expect(response.status).toBe(200);
      expect(response.body.data).toMatchObject({
        uid: id,
        event_id: w.eventId,
        endpoint_id: w.endpoint.id,
        status: 'Retry',
        description: 'fixture Retry',
        idempotency_key: '',
        endpoint_metadata: { uid: w.endpoint.id, target_url: w.endpoint.url },
        event_metadata: { uid: w.eventId, idempotency_key: 'idem-1' },
        metadata: {
          data: { amount: 5 },
          raw: '{"amount":5}',
          strategy: 'linear',
          num_trials: 2,
          retry_limit: 3,
          interval_seconds: 10,
          next_send_time: expect.any(String),
        },
      });
      expect((await w.call('GET', '/01JUNKJUNKJUNKJUNKJUNKJUNK')).status).toBe(404);
    });
  });

  describe('PUT /eventdeliveries/:id/resend', () => {
    it("moves Failure and Discarded to Scheduled now and rings the endpoint's doorbell", async () => {
      const w = await world();
      for (const status of [Failure, Discarded]) {
        const id = await fixtures.delivery(w.projectId, w.eventId, w.endpoint.id, status, { attempts: 3 });
        const response = await w.call('PUT', `/${id}/resend`);
        expect(response.status).toBe(200);
        expect(response.body.data.status).toBe('Scheduled');
        const row = await statusOf(id);
        expect(row.status).toBe('Scheduled');
        expect(Math.abs(new Date(row.next_send_time).getTime() - Date.now())).toBeLessThan(5_000);
        const bell = await waitFor(
          () => bells.messages.find((m) => m.value['delivery_id'] === id),
          20_000,
          'the doorbell',
        );
        expect(bell).toEqual({
          key: w.endpoint.id,
          value: { project_id: w.projectId, endpoint_id: w.endpoint.id, delivery_id: id, kind: 'delivery' },
        });
      }
    });

    it.each([Success, Scheduled, Processing, Retry])('refuses a %s delivery with a 400 saying why', async (status) => {
      const w = await world();
      const id = await fixtures.delivery(w.projectId, w.eventId, w.endpoint.id, status);
      const response = await w.call('PUT', `/${id}/resend`);
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(`is ${status}`);
      expect(response.body.message).toContain('Failure or Discarded');
      expect((await statusOf(id)).status).toBe(status);
    });

    it.each([EndpointStatus.Paused, EndpointStatus.Inactive])(
      'refuses when the endpoint is %s',
      async (endpointStatus) => {
        const w = await world(endpointStatus);
        const id = await fixtures.delivery(w.projectId, w.eventId, w.endpoint.id, Failure);
        const response = await w.call('PUT', `/${id}/resend`);
        expect(response.status).toBe(400);
        expect(response.body.message).toContain(`is ${endpointStatus}`);
        expect((await statusOf(id)).status).toBe(Failure);
      },
    );
  });

  describe('POST /eventdeliveries/forceresend', () => {
    it('requeues only Success deliveries and answers the counts', async () => {
      const w = await world();
      const ok = await fixtures.delivery(w.projectId, w.eventId, w.endpoint.id, Success);
      const failed = await fixtures.delivery(w.projectId, w.eventId, w.endpoint.id, Failure);
      const response = await w.call('POST', '/forceresend', { ids: [ok, failed, '01JUNKJUNKJUNKJUNKJUNKJUNK'] });
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({ num_success: 1, num_failure: 2 });
      expect((await statusOf(ok)).status).toBe(Scheduled);
      expect((await statusOf(failed)).status).toBe(Failure);
      await waitFor(() => bells.messages.some((m) => m.value['delivery_id'] === ok), 20_000, 'the doorbell');
    });

    it('leaves a Success delivery of a paused endpoint alone', async () => {
      const w = await world(EndpointStatus.Paused);
      const ok = await fixtures.delivery(w.projectId, w.eventId, w.endpoint.id, Success);
      const response = await w.call('POST', '/forceresend', { ids: [ok] });
      expect(response.body.data).toEqual({ num_success: 0, num_failure: 1 });
      expect((await statusOf(ok)).status).toBe(Success);
    });

    it.each([[{}], [{ ids: [] }], [{ ids: 'x' }], [{ ids: [1] }]])('refuses %j with a 400 naming ids', async (body) => {
      const w = await world();
      const response = await w.call('POST', '/forceresend', body);
      expect(response.status).toBe(400);
      expect(response.body.message).toContain('ids');
    });
  });

  describe('POST /eventdeliveries/batchretry', () => {
    it('retries the matching Failure/Discarded deliveries of active endpoints in one go', async () => {
      const w = await world();
      const paused = await fixtures.endpoint(w.projectId, { status: EndpointStatus.Paused });
      const failure = await fixtures.delivery(w.projectId, w.eventId, w.endpoint.id, Failure);
      const discarded = await fixtures.delivery(w.projectId, w.eventId, w.endpoint.id, Discarded);
      const success = await fixtures.delivery(w.projectId, w.eventId, w.endpoint.id, Success);
      const toPaused = await fixtures.delivery(w.projectId, w.eventId, paused.id, Failure);

      const onlyDiscarded = await w.call('POST', `/batchretry?status=Discarded`);
      expect(onlyDiscarded.status).toBe(200);
      expect(onlyDiscarded.body.data).toEqual({ num_success: 1, num_failure: 0 });
      expect((await statusOf(discarded)).status).toBe(Scheduled);
      expect((await statusOf(failure)).status).toBe(Failure);

      const rest = await w.call('POST', `/batchretry?eventId=${w.eventId}`);
      expect(rest.body.data).toEqual({ num_success: 1, num_failure: 1 });
      expect((await statusOf(failure)).status).toBe(Scheduled);
      expect((await statusOf(success)).status).toBe(Success);
      expect((await statusOf(toPaused)).status).toBe(Failure);
      await waitFor(
        () => [failure, discarded].every((id) => bells.messages.some((m) => m.value['delivery_id'] === id)),
        20_000,
        'the doorbells',
      );
      const successOnly = await w.call('POST', '/batchretry?status=Success');
      expect(successOnly.body.data).toEqual({ num_success: 0, num_failure: 0 });
      const bad = await w.call('POST', '/batchretry?status=Nope');
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('status');
    });
  });

  describe('delivery attempts', () => {
    it("lists and reads attempts in Convoy's shape", async () => {
      const w = await world();
      const id = await fixtures.delivery(w.projectId, w.eventId, w.endpoint.id, Success, { attempts: 2 });
      const failed = await fixtures.attempt(w.projectId, id, w.endpoint.id, null);
      const ok = await fixtures.attempt(w.projectId, id, w.endpoint.id, 200);
      const list = await w.call('GET', `/${id}/deliveryattempts`);
      expect(list.status).toBe(200);
      expect(list.body.data.map((a: { uid: string }) => a.uid)).toEqual([failed, ok]);
      expect(list.body.data[0]).toMatchObject({ http_status: '', error: 'connect ECONNREFUSED', status: false });
      const one = await w.call('GET', `/${id}/deliveryattempts/${ok}`);
      expect(one.status).toBe(200);
      expect(one.body.data).toEqual({
        uid: ok,
        project_id: w.projectId,
        msg_id: id,
        url: 'https://example.com/hooks',
        method: 'POST',
        endpoint_id: w.endpoint.id,
        api_version: '',
        ip_address: '93.184.216.34:443',
        request_http_header: { 'Content-Type': 'application/json', 'X-Multi': 'a, b' },
        response_http_header: { Server: 'nginx' },
        http_status: '200 OK',
        response_data: 'ok',
        error: '',
        status: true,
        latency_ms: 12,
        created_at: expect.any(String),
        updated_at: expect.any(String),
        deleted_at: null,
      });
      expect((await w.call('GET', `/${id}/deliveryattempts/01JUNKJUNKJUNKJUNKJUNKJUNK`)).status).toBe(404);
      expect((await w.call('GET', '/01JUNKJUNKJUNKJUNKJUNKJUNK/deliveryattempts')).status).toBe(404);
    });
  });
});
