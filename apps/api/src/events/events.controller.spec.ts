import { VerifierType } from '@caravan/domain';
import { createHmac } from 'node:crypto';
import { ApiHarness, startApiHarness } from '../testing/api-harness';
import { collectDoorbells, Doorbells, EventFixtures, waitFor } from '../testing/event-fixtures.helper';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('events (HTTP, real Postgres and Kafka)', () => {
  jest.setTimeout(60_000);
  let api: ApiHarness;
  let fixtures: EventFixtures;
  let bells: Doorbells;
  let projectId: string;
  let apiKey: string;
  let endpointId: string;

  const post = (path: string, body: unknown, key: string | null = apiKey) =>
    api.request('POST', `/api/v1/projects/${projectId}${path}`, { key, body });
  const get = (path: string) => api.request('GET', `/api/v1/projects/${projectId}${path}`, { key: apiKey });
  const dbEvent = async (id: string) =>
    (await api.database.dataSource.query('SELECT * FROM events WHERE id = $1', [id]))[0];

  beforeAll(async () => {
    api = await startApiHarness();
    fixtures = new EventFixtures(api.app);
    bells = await collectDoorbells(api.kafka, api.config.kafka.topics.events);
    ({ projectId, apiKey } = await api.createProject());
    endpointId = (await fixtures.endpoint(projectId)).id;
  });

  afterAll(async () => {
    await bells?.stop();
    await api?.close();
  });

  describe('POST /events', () => {
    it('answers 201 with the Convoy event object, stores it Pending and rings caravan.events', async () => {
      const response = await post('/events', {
        endpoint_id: endpointId,
        event_type: 'invoice.paid',
        data: { amount: 1000, currency: 'NGN' },
        custom_headers: { 'X-A': 'b' },
        idempotency_key: 'key-shape',
      });
      expect(response.status).toBe(201);
      expect(response.body.status).toBe(true);
      const event = response.body.data;
      expect(event).toEqual({
        uid: expect.stringMatching(ULID),
        event_type: 'invoice.paid',
        project_id: projectId,
        source_id: '',
        endpoints: [endpointId],
        // Filled on reads (GET /events): the create answer is not slowed by lookups.
        endpoint_metadata: [],
        source_metadata: null,
        owner_id: '',
        data: { amount: 1000, currency: 'NGN' },
        raw: '{"amount":1000,"currency":"NGN"}',
        headers: { 'X-A': ['b'] },
        idempotency_key: 'key-shape',
        is_duplicate_event: false,
        url_query_params: '',
        status: 'Pending',
        acknowledged_at: expect.any(String),
        created_at: expect.any(String),
        updated_at: expect.any(String),
        deleted_at: null,
      });
      const row = await dbEvent(event.uid);
      expect(row).toMatchObject({ routing: 'direct', status: 'Pending', generation: 0, project_id: projectId });
      const bell = await waitFor(() => bells.messages.find((m) => m.key === event.uid), 20_000, 'the doorbell');
      expect(bell.value).toEqual({ project_id: projectId, event_id: event.uid });
    });

    it('stores a pretty-printed, unicode data member byte for byte', async () => {
      const data = '{\n    "name": "Zoë 🚀",\n    "nested": { "a" : [1, 2.50, "\\u00e9"] },\n    "amount":   10\n}';
      const document = `{"endpoint_id":"${endpointId}","event_type":"bytes.exact","data":${data}}`;
      const response = await api.request('POST', `/api/v1/projects/${projectId}/events`, {
        key: apiKey,
        rawBody: Buffer.from(document, 'utf8'),
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(201);
      expect(response.body.data.raw).toBe(data);
      expect(response.body.data.data).toEqual({ name: 'Zoë 🚀', nested: { a: [1, 2.5, 'é'] }, amount: 10 });
      const row = await dbEvent(response.body.data.uid);
      expect(Buffer.compare(row.raw, Buffer.from(data, 'utf8'))).toBe(0);
    });

    it('stores an idempotent duplicate flagged, and rings no doorbell for it', async () => {
      const body = { endpoint_id: endpointId, event_type: 'dup.test', data: { n: 1 }, idempotency_key: 'dup-1' };
      const first = await post('/events', body);
      const second = await post('/events', body);
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(first.body.data.is_duplicate_event).toBe(false);
      expect(second.body.data.is_duplicate_event).toBe(true);
      expect(second.body.data.uid).not.toBe(first.body.data.uid);
      const rows = await api.database.dataSource.query(
        `SELECT id, is_duplicate_event FROM events WHERE project_id = $1 AND idempotency_key = 'dup-1' ORDER BY id`,
        [projectId],
      );
      expect(rows).toEqual([
        { id: first.body.data.uid, is_duplicate_event: false },
        { id: second.body.data.uid, is_duplicate_event: true },
      ]);
      // A later original is rung after the duplicate would have been: its bell proves the
      // duplicate's would have arrived by now.
      const later = await post('/events', { endpoint_id: endpointId, event_type: 'dup.after', data: {} });
      await waitFor(() => bells.messages.some((m) => m.key === later.body.data.uid), 20_000, 'the later doorbell');
      // Keys land on different partitions: give any stray bell time to arrive as well.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(bells.messages.some((m) => m.key === first.body.data.uid)).toBe(true);
      expect(bells.messages.some((m) => m.key === second.body.data.uid)).toBe(false);
    });

    it.each([
      [{ event_type: 't', data: {} }, 'endpoint_id'],
      [{ endpoint_id: 'x', data: {} }, 'event_type'],
      [{ endpoint_id: 'x', event_type: 't' }, 'data'],
      [{ endpoint_id: 'x', event_type: 't', data: {}, custom_headers: { 'X-A': 1 } }, 'custom_headers'],
      [{ endpoint_id: 'x', event_type: 't', data: {}, custom_headers: ['a'] }, 'custom_headers'],
      [{ endpoint_id: 'x', event_type: 't', data: {}, idempotency_key: 5 }, 'idempotency_key'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const response = await post('/events', body);
      expect(response.status).toBe(400);
      expect(response.body.status).toBe(false);
      expect(response.body.message).toContain(field);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('refuses an endpoint of another project (or none) with a 400 naming endpoint_id', async () => {
      const other = await api.createProject();
      const theirs = await fixtures.endpoint(other.projectId);
      for (const id of [theirs.id, '01JUNKJUNKJUNKJUNKJUNKJUNK']) {
        const response = await post('/events', { endpoint_id: id, event_type: 't', data: {} });
        expect(response.status).toBe(400);
        expect(response.body.message).toContain('endpoint_id');
      }
      expect(await api.database.dataSource.query('SELECT 1 FROM events WHERE event_type = $1', ['t'])).toHaveLength(0);
    });

    it('refuses data over the project max_payload_read_size with a 413', async () => {
      const small = await api.createProject('outgoing', { max_payload_read_size: 64 });
      const endpoint = await fixtures.endpoint(small.projectId);
      const ok = await api.request('POST', `/api/v1/projects/${small.projectId}/events`, {
        key: small.apiKey,
        body: { endpoint_id: endpoint.id, event_type: 'fits', data: { a: 'x'.repeat(40) } },
      });
      expect(ok.status).toBe(201);
      const tooBig = await api.request('POST', `/api/v1/projects/${small.projectId}/events`, {
        key: small.apiKey,
        body: { endpoint_id: endpoint.id, event_type: 'too.big', data: { a: 'x'.repeat(80) } },
      });
      expect(tooBig.status).toBe(413);
      expect(tooBig.body.message).toContain('max_payload_read_size');
    });

    it("refuses another project's key with 403 and unknown projects with 404", async () => {
      const other = await api.createProject();
      const crossed = await post('/events', { endpoint_id: endpointId, event_type: 't', data: {} }, other.apiKey);
      expect(crossed.status).toBe(403);
      const anonymous = await post('/events', { endpoint_id: endpointId, event_type: 't', data: {} }, null);
      expect(anonymous.status).toBe(401);
      const missing = await api.request('POST', '/api/v1/projects/01JUNKJUNKJUNKJUNKJUNKJUNK/events', {
        body: { endpoint_id: endpointId, event_type: 't', data: {} },
      });
      expect(missing.status).toBe(404);
    });
  });

  describe('POST /events/fanout, /broadcast, /dynamic', () => {
    it('fans out to the endpoints of an owner', async () => {
      const a = await fixtures.endpoint(projectId, { ownerId: 'owner-1' });
      const b = await fixtures.endpoint(projectId, { ownerId: 'owner-1' });
      const response = await post('/events/fanout', { owner_id: 'owner-1', event_type: 'fan.out', data: { x: 1 } });
      expect(response.status).toBe(201);
      expect(response.body.data.owner_id).toBe('owner-1');
      expect([...response.body.data.endpoints].sort()).toEqual([a.id, b.id].sort());
      expect(await dbEvent(response.body.data.uid)).toMatchObject({ routing: 'fanout', owner_id: 'owner-1' });
    });

    it('refuses an owner with no endpoints, and a missing owner_id, naming owner_id', async () => {
      const none = await post('/events/fanout', { owner_id: 'nobody', event_type: 't', data: {} });
      expect(none.status).toBe(400);
      expect(none.body.message).toContain('owner_id');
      const missing = await post('/events/fanout', { event_type: 't', data: {} });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toContain('owner_id');
    });

    it('broadcasts with acknowledged_at (as Convoy does)', async () => {
      const response = await post('/events/broadcast', {
        event_type: 'cast.created',
        data: { cast: true },
        custom_headers: { 'X-Team': 'blue' },
        idempotency_key: 'cast-1',
        acknowledged_at: '2025-01-02T03:04:05.000Z',
      });
      expect(response.status).toBe(201);
      expect(response.body.data).toMatchObject({
        event_type: 'cast.created',
        endpoints: [],
        headers: { 'X-Team': ['blue'] },
        idempotency_key: 'cast-1',
        acknowledged_at: '2025-01-02T03:04:05.000Z',
      });
      expect(await dbEvent(response.body.data.uid)).toMatchObject({ routing: 'broadcast' });
      const bad = await post('/events/broadcast', { event_type: 't', data: {}, acknowledged_at: 'yesterday' });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('acknowledged_at');
    });

    it('creates the endpoint and subscription of a dynamic event once, and reuses them by URL', async () => {
      const url = 'https://dynamic.example.com/hook';
      const first = await post('/events/dynamic', {
        url,
        secret: 'dyn-secret',
        event_types: ['order.*', 'order.created'],
        event_type: 'order.created',
        data: { id: 1 },
      });
      expect(first.status).toBe(201);
      const [endpoint] = first.body.data.endpoints;
      const endpoints = await api.database.dataSource.query(
        'SELECT * FROM endpoints WHERE project_id = $1 AND url = $2',
        [projectId, url],
      );
      expect(endpoints).toHaveLength(1);
      expect(endpoints[0].id).toBe(endpoint);
      expect(endpoints[0].secrets[0].value).toBe('dyn-secret');
      const subscriptions = await api.database.dataSource.query(
        'SELECT event_types FROM subscriptions WHERE endpoint_id = $1',
        [endpoint],
      );
      expect(subscriptions).toEqual([{ event_types: ['order.*', 'order.created'] }]);
      expect(await dbEvent(first.body.data.uid)).toMatchObject({ routing: 'dynamic', endpoint_ids: [endpoint] });

      const second = await post('/events/dynamic', { url, event_type: 'order.created', data: { id: 2 } });
      expect(second.status).toBe(201);
      expect(second.body.data.endpoints).toEqual([endpoint]);
      expect(await api.database.dataSource.query('SELECT 1 FROM endpoints WHERE url = $1', [url])).toHaveLength(1);
      expect(
        await api.database.dataSource.query('SELECT 1 FROM subscriptions WHERE endpoint_id = $1', [endpoint]),
      ).toHaveLength(1);
    });

    it('announces a dynamically created endpoint as an endpoint.created meta event', async () => {
      const watched = await api.createProject('outgoing', {
        meta_event: {
          is_enabled: true,
          type: 'http',
          url: 'https://meta.example.com',
          secret: 'm',
          event_type: ['endpoint.created'],
        },
      });
      const send = () =>
        api.request('POST', `/api/v1/projects/${watched.projectId}/events/dynamic`, {
          key: watched.apiKey,
          body: { url: 'https://new.example.com/hook', event_type: 'a', data: {} },
        });
      const first = await send();
      await send();
      const rows = await api.database.dataSource.query(
        'SELECT event_type, payload FROM meta_events WHERE project_id = $1',
        [watched.projectId],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].event_type).toBe('endpoint.created');
      expect(JSON.parse(rows[0].payload.toString()).data).toMatchObject({
        uid: first.body.data.endpoints[0],
        target_url: 'https://new.example.com/hook',
      });
    });

    it('defaults a dynamic subscription to every event type, and validates url', async () => {
      const response = await post('/events/dynamic', { url: 'https://dyn2.example.com/x', event_type: 'a', data: {} });
      expect(response.status).toBe(201);
      const [endpoint] = response.body.data.endpoints;
      const subscriptions = await api.database.dataSource.query(
        'SELECT event_types FROM subscriptions WHERE endpoint_id = $1',
        [endpoint],
      );
      expect(subscriptions).toEqual([{ event_types: ['*'] }]);
      const bad = await post('/events/dynamic', { url: 'not a url', event_type: 'a', data: {} });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('url');
      const types = await post('/events/dynamic', {
        url: 'https://dyn3.example.com',
        event_type: 'a',
        data: {},
        event_types: [1],
      });
      expect(types.status).toBe(400);
      expect(types.body.message).toContain('event_types');
    });
  });

  describe('GET /events', () => {
    let listProject: { projectId: string; apiKey: string };
    let created: string[];
    let e1: string;
    let e2: string;

    beforeAll(async () => {
      listProject = await api.createProject();
      e1 = (await fixtures.endpoint(listProject.projectId)).id;
      e2 = (await fixtures.endpoint(listProject.projectId)).id;
      const e3 = (await fixtures.endpoint(listProject.projectId)).id;
      created = [];
      const targets = [e1, e2, e3, e1, e2, e3, e1];
      for (const [i, target] of targets.entries()) {
        const response = await api.request('POST', `/api/v1/projects/${listProject.projectId}/events`, {
          key: listProject.apiKey,
          body: {
            endpoint_id: target,
            event_type: i === 0 ? 'Special.Type' : 'list.item',
            data: { i, note: i === 3 ? 'needle-Zoë' : 'hay' },
            idempotency_key: `list-${i}`,
          },
        });
        created.push(response.body.data.uid);
      }
    });

    const list = (query: string) =>
      api.request('GET', `/api/v1/projects/${listProject.projectId}/events${query}`, { key: listProject.apiKey });

    it('pages through every event with cursors, none lost or repeated, both directions', async () => {
      const seen: string[] = [];
      let cursor = '';
      let pages = 0;
      for (;;) {
        const response = await list(`?perPage=3${cursor ? `&direction=next&next_page_cursor=${cursor}` : ''}`);
        expect(response.status).toBe(200);
        pages += 1;
        seen.push(...response.body.data.content.map((e: { uid: string }) => e.uid));
        if (!response.body.data.pagination.has_next_page) break;
        cursor = response.body.data.pagination.next_page_cursor;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual([...created].reverse());
      const back = await list(`?perPage=3&direction=prev&prev_page_cursor=${seen[3]}`);
      expect(back.body.data.content.map((e: { uid: string }) => e.uid)).toEqual(seen.slice(0, 3));
      const ascending = await list('?perPage=100&sort=ASC');
      expect(ascending.body.data.content.map((e: { uid: string }) => e.uid)).toEqual(created);
    });

    it('filters by repeated endpointId, idempotencyKey, query and dates', async () => {
      const byEndpoints = await list(`?endpointId=${e1}&endpointId=${e2}&perPage=100`);
      expect(byEndpoints.body.data.content).toHaveLength(5);
      const bracketed = await list(`?endpointId[]=${e2}&perPage=100`);
      expect(bracketed.body.data.content).toHaveLength(2);
      const byKey = await list('?idempotencyKey=list-4');
      expect(byKey.body.data.content.map((e: { uid: string }) => e.uid)).toEqual([created[4]]);
      const byType = await list('?query=special');
      expect(byType.body.data.content.map((e: { uid: string }) => e.uid)).toEqual([created[0]]);
      const byBody = await list(`?query=${encodeURIComponent('needle-Zoë')}`);
      expect(byBody.body.data.content.map((e: { uid: string }) => e.uid)).toEqual([created[3]]);
      const future = await list(`?startDate=${new Date(Date.now() + 3_600_000).toISOString()}`);
      expect(future.body.data.content).toEqual([]);
      const past = await list(`?endDate=${new Date(Date.now() + 3_600_000).toISOString()}&perPage=100`);
      expect(past.body.data.content).toHaveLength(7);
    });

    it.each([
      ['?startDate=yesterday', 'startDate'],
      ['?sort=sideways', 'sort'],
      ['?next_page_cursor=bogus', 'bogus'],
    ])('refuses %s with a 400 naming %s', async (query, field) => {
      const response = await list(query);
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(field);
    });

    it("reads one event, 404 for unknown or another project's", async () => {
      const one = await list(`/${created[2]}`);
      expect(one.status).toBe(200);
      expect(one.body.data.uid).toBe(created[2]);
      expect((await list('/01JUNKJUNKJUNKJUNKJUNKJUNK')).status).toBe(404);
      const fromElsewhere = await get(`/events/${created[2]}`);
      expect(fromElsewhere.status).toBe(404);
    });

    it("shows endpoint_metadata (no secrets) and source_metadata (no verifier) in Convoy's shapes", async () => {
      const one = await list(`/${created[1]}`);
      expect(one.body.data.endpoints).toEqual([e2]);
      expect(one.body.data.endpoint_metadata).toEqual([
        expect.objectContaining({ uid: e2, project_id: listProject.projectId, status: 'active' }),
      ]);
      expect(one.body.data.endpoint_metadata[0]).not.toHaveProperty('secrets');
      expect(one.body.data.source_metadata).toBeNull();
      const listed = await list(`?endpointId=${e2}`);
      expect(
        listed.body.data.content.every((event: { endpoint_metadata: Array<{ uid: string }> }) =>
          event.endpoint_metadata.some((endpoint) => endpoint.uid === e2),
        ),
      ).toBe(true);

      // A project of its own, so the list and batch tests here keep their counts.
      const incoming = await api.createProject('incoming');
      const source = await fixtures.source(incoming.projectId, {
        type: VerifierType.Hmac,
        hmac: { header: 'X-Sig', hash: 'SHA256', secret: 'verifier-secret', encoding: 'hex' },
      });
      const ingested = await api.request('POST', `/ingest/${source.maskId}`, {
        key: null,
        rawBody: '{"from":"source"}',
        headers: {
          'content-type': 'application/json',
          'X-Sig': createHmac('sha256', 'verifier-secret').update('{"from":"source"}').digest('hex'),
        },
      });
      expect(ingested.status).toBe(200);
      const read = await api.request('GET', `/api/v1/projects/${incoming.projectId}/events/${ingested.body.data.uid}`, {
        key: incoming.apiKey,
      });
      expect(read.body.data.source_metadata).toMatchObject({
        uid: source.id,
        mask_id: source.maskId,
        type: 'http',
        url: `${api.config.api.publicUrl}/ingest/${source.maskId}`,
        verifier: null,
      });
      expect(JSON.stringify(read.body.data)).not.toContain('verifier-secret');
    });
  });

  describe('replay', () => {
    it('replays afresh: next generation, Pending again, a new doorbell', async () => {
      const created = await post('/events', { endpoint_id: endpointId, event_type: 'replay.me', data: { r: 1 } });
      const id = created.body.data.uid;
      await api.database.dataSource.query(`UPDATE events SET status = 'Processing' WHERE id = $1`, [id]);
      await waitFor(() => bells.messages.some((m) => m.key === id), 20_000, 'the first doorbell');
      const before = bells.messages.filter((m) => m.key === id).length;

      const replayed = await api.request('PUT', `/api/v1/projects/${projectId}/events/${id}/replay`, { key: apiKey });
      expect(replayed.status).toBe(200);
      expect(replayed.body.data).toMatchObject({ uid: id, status: 'Pending' });
      expect(await dbEvent(id)).toMatchObject({ generation: 1, status: 'Pending' });
      await waitFor(() => bells.messages.filter((m) => m.key === id).length > before, 20_000, 'the replay doorbell');

      const again = await api.request('PUT', `/api/v1/projects/${projectId}/events/${id}/replay`, { key: apiKey });
      expect(again.status).toBe(200);
      expect(await dbEvent(id)).toMatchObject({ generation: 2 });
    });

    it('refuses to replay a duplicate (400) or an unknown event (404)', async () => {
      const body = { endpoint_id: endpointId, event_type: 'rep.dup', data: {}, idempotency_key: 'rep-dup' };
      await post('/events', body);
      const duplicate = await post('/events', body);
      const response = await api.request(
        'PUT',
        `/api/v1/projects/${projectId}/events/${duplicate.body.data.uid}/replay`,
        { key: apiKey },
      );
      expect(response.status).toBe(400);
      expect(response.body.message).toContain('duplicate');
      const missing = await api.request(
        'PUT',
        `/api/v1/projects/${projectId}/events/01JUNKJUNKJUNKJUNKJUNKJUNK/replay`,
        { key: apiKey },
      );
      expect(missing.status).toBe(404);
    });

    it('batch-replays the events matching the filters in one go and answers counts', async () => {
      const batch = await api.createProject();
      const a = (await fixtures.endpoint(batch.projectId)).id;
      const b = (await fixtures.endpoint(batch.projectId)).id;
      const ids: string[] = [];
      for (const target of [a, a, b]) {
        const response = await api.request('POST', `/api/v1/projects/${batch.projectId}/events`, {
          key: batch.apiKey,
          body: { endpoint_id: target, event_type: 'batch', data: {} },
        });
        ids.push(response.body.data.uid);
      }
      await api.database.dataSource.query(`UPDATE events SET status = 'Processing' WHERE project_id = $1`, [
        batch.projectId,
      ]);
      const response = await api.request(
        'POST',
        `/api/v1/projects/${batch.projectId}/events/batchreplay?endpointId=${a}`,
        {
          key: batch.apiKey,
        },
      );
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({ num_success: 2, num_failure: 0 });
      const rows = await api.database.dataSource.query(
        'SELECT id, generation, status FROM events WHERE project_id = $1 ORDER BY id',
        [batch.projectId],
      );
      expect(rows).toEqual([
        { id: ids[0], generation: 1, status: 'Pending' },
        { id: ids[1], generation: 1, status: 'Pending' },
        { id: ids[2], generation: 0, status: 'Processing' },
      ]);
      await waitFor(
        () => bells.messages.filter((m) => m.key === ids[0] || m.key === ids[1]).length >= 4,
        20_000,
        'the batch replay doorbells',
      );
      const bad = await api.request('POST', `/api/v1/projects/${batch.projectId}/events/batchreplay?startDate=never`, {
        key: batch.apiKey,
      });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('startDate');
    });
  });
});
