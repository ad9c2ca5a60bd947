import { ConsoleLogger } from '@nestjs/common';
import { DeliveryStatus, MetaEventStatus, SourceProvider, SourceType, VerifierType } from '@caravan/domain';
import { ApiHarness, startApiHarness } from './testing/api-harness';
import { EventFixtures } from './testing/event-fixtures.helper';

const IGNORED = 'caravan-ignored-fields';
const DAY_MS = 86_400_000;

/**
 * Convoy's request rules, over HTTP against the real api (Postgres and Kafka): unknown fields
 * ignored and named, "" as "not set", Convoy's defaults, and its list filters.
 */
describe("Convoy's request rules (HTTP, real Postgres and Kafka)", () => {
  jest.setTimeout(120_000);
  let api: ApiHarness;
  let fixtures: EventFixtures;
  const debugLines: unknown[] = [];

  beforeAll(async () => {
    api = await startApiHarness();
    fixtures = new EventFixtures(api.app);
    // A real logger that also keeps what it is given, so the debug line can be read back.
    class KeepingLogger extends ConsoleLogger {
      override debug(fields: object, message: unknown): void {
        debugLines.push({ ...fields, msg: message });
      }
    }
    api.app.useLogger(new KeepingLogger('api', { logLevels: ['error', 'fatal', 'debug'] }));
  });

  afterAll(async () => {
    await api?.close();
  });

  async function project(type: 'outgoing' | 'incoming' = 'outgoing', config?: object) {
    const created = await api.createProject(type, config);
    const call = (method: string, path: string, body?: unknown) =>
      api.request(method, `/api/v1/projects/${created.projectId}${path}`, { key: created.apiKey, body });
    return { ...created, call };
  }

  const ids = (response: { body: { data: { content: Array<{ uid: string }> } } }) =>
    response.body.data.content.map((item) => item.uid);

  describe('1. unknown fields and query parameters are ignored and named', () => {
    it('accepts unknown body fields (nested too), drops them and names them in Caravan-Ignored-Fields', async () => {
      const response = await api.request('POST', '/api/v1/projects', {
        body: {
          name: 'unknowns',
          type: 'outgoing',
          colour: 'red',
          config: {
            made_up: 1,
            signature: { header: 'X-Sig', versions: [{ hash: 'SHA256', encoding: 'hex', uid: 'v1', flavour: 'x' }] },
          },
        },
      });
      expect(response.status).toBe(201);
      expect(response.headers.get(IGNORED)?.split(',').sort()).toEqual(
        ['colour', 'config.made_up', 'config.signature.versions[0].flavour', 'config.signature.versions[0].uid'].sort(),
      );
      const stored = await api.database.dataSource.query('SELECT config FROM projects WHERE id = $1', [
        response.body.data.project.uid,
      ]);
      expect(stored[0].config).not.toHaveProperty('made_up');
      expect(stored[0].config.signature.versions).toEqual([{ hash: 'SHA256', encoding: 'hex' }]);
      expect(debugLines).toContainEqual(
        expect.objectContaining({
          msg: 'ignored unknown fields',
          ignored_fields: expect.arrayContaining(['colour']),
        }),
      );
    });

    it('names unknown query parameters, and body fields of routes that read no body', async () => {
      const p = await project();
      const endpoint = await p.call('POST', '/endpoints', { name: 'e', url: 'https://example.com/a' });
      const listed = await p.call('GET', '/endpoints?colour=red&perPage=5');
      expect(listed.status).toBe(200);
      expect(listed.headers.get(IGNORED)).toBe('colour');
      const read = await p.call('GET', `/endpoints/${endpoint.body.data.uid}?expand=all`);
      expect(read.status).toBe(200);
      expect(read.headers.get(IGNORED)).toBe('expand');
      const paused = await p.call('PUT', `/endpoints/${endpoint.body.data.uid}/pause`, { reason: 'x' });
      expect(paused.status).toBe(202);
      expect(paused.headers.get(IGNORED)).toBe('reason');
      const plain = await p.call('GET', '/endpoints');
      expect(plain.headers.get(IGNORED)).toBeNull();
    });

    it('still answers a known field with a bad value with a 400 naming it (and names the unknown one)', async () => {
      const p = await project();
      const response = await p.call('POST', '/endpoints', { name: 'e', url: 'not a url', colour: 'red' });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual(['url']);
      expect(response.headers.get(IGNORED)).toBe('colour');
    });
  });

  describe('2. "" means "not set"', () => {
    it('takes "" for every optional string of an event and an endpoint, and applies no idempotency', async () => {
      const p = await project();
      const endpoint = await p.call('POST', '/endpoints', {
        name: 'e',
        url: 'https://example.com/b',
        secret: '',
        owner_id: '',
        description: '',
        support_email: '',
        slack_webhook_url: '',
        authentication: { type: '', api_key: { header_name: '', header_value: '' } },
      });
      expect(endpoint.status).toBe(201);
      expect(endpoint.body.data.secrets[0].value).not.toBe('');
      expect(endpoint.body.data.authentication).toBeNull();
      const event = { endpoint_id: endpoint.body.data.uid, event_type: 't', data: {}, idempotency_key: '' };
      const first = await p.call('POST', '/events', event);
      const second = await p.call('POST', '/events', event);
      expect([first.status, second.status]).toEqual([201, 201]);
      expect([first.body.data.is_duplicate_event, second.body.data.is_duplicate_event]).toEqual([false, false]);
      const subscription = await p.call('POST', '/subscriptions', {
        name: 's',
        endpoint_id: endpoint.body.data.uid,
        source_id: '',
      });
      expect(subscription.status).toBe(201);
      const renamed = await p.call('PUT', `/endpoints/${endpoint.body.data.uid}`, { name: '', description: 'd' });
      expect(renamed.status).toBe(202);
      expect(renamed.body.data.name).toBe('e');
    });

    it('takes "" for optional query parameters', async () => {
      const p = await project();
      const response = await p.call('GET', '/events?sourceId=&endpointId=&idempotencyKey=&startDate=&sort=&perPage=');
      expect(response.status).toBe(200);
      const sources = await p.call('GET', '/sources?type=&provider=');
      expect(sources.status).toBe(200);
    });

    it('still refuses "" for a required string, naming it', async () => {
      const p = await project();
      const endpoint = await p.call('POST', '/endpoints', { name: '', url: 'https://example.com/c' });
      expect(endpoint.status).toBe(400);
      expect(endpoint.body.errors.map((error: { field: string }) => error.field)).toEqual(['name']);
      const event = await p.call('POST', '/events', { endpoint_id: 'x', event_type: '', data: {} });
      expect(event.status).toBe(400);
      expect(event.body.errors.map((error: { field: string }) => error.field)).toEqual(['event_type']);
    });

    it('reads an idempotency key found empty in an ingested request as no key', async () => {
      const p = await project('incoming');
      const source = await p.call('POST', '/sources', {
        name: 'hooks',
        type: 'http',
        verifier: { type: 'noop' },
        idempotency_keys: ['request.headers.X-Id'],
      });
      expect(source.status).toBe(201);
      const send = () =>
        fetch(`${api.url}/ingest/${source.body.data.mask_id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-id': '' },
          body: '{"a":1}',
        });
      const [first, second] = [await send(), await send()];
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(((await second.json()) as { message: string }).message).toBe('Event received');
    });
  });

  describe("3. Convoy's defaults", () => {
    it('signs with advanced signatures unless told otherwise, in incoming projects too', async () => {
      for (const type of ['outgoing', 'incoming'] as const) {
        const p = await project(type);
        const created = await p.call('POST', '/endpoints', { name: 'e', url: 'https://example.com/d' });
        expect(created.body.data.advanced_signatures).toBe(true);
        const simple = await p.call('POST', '/endpoints', {
          name: 'f',
          url: 'https://example.com/e',
          advanced_signatures: false,
        });
        expect(simple.body.data.advanced_signatures).toBe(false);
      }
    });

    it('creates a dynamic endpoint under the endpoint rules: defaults, secure-URL policy, full endpoint.created', async () => {
      const metaConfig = {
        meta_event: {
          is_enabled: true,
          url: 'https://example.com/meta',
          secret: 's',
          event_type: ['endpoint.created'],
        },
      };
      const p = await project('outgoing', metaConfig);
      const dynamic = await p.call('POST', '/events/dynamic', {
        url: 'https://example.com/dynamic',
        event_type: 't',
        data: {},
        secret: '',
      });
      expect(dynamic.status).toBe(201);
      const [dynamicEndpoint] = (await p.call('GET', '/endpoints')).body.data.content;
      expect(dynamicEndpoint).toMatchObject({ url: 'https://example.com/dynamic', advanced_signatures: true });
      await p.call('POST', '/endpoints', { name: 'plain', url: 'https://example.com/plain' });
      const payloads = (
        await api.database.dataSource.query(
          `SELECT payload FROM meta_events WHERE project_id = $1 AND event_type = 'endpoint.created' ORDER BY id`,
          [p.projectId],
        )
      ).map((row: { payload: Buffer }) => JSON.parse(row.payload.toString('utf8')).data);
      expect(payloads).toHaveLength(2);
      expect(Object.keys(payloads[0]).sort()).toEqual(Object.keys(payloads[1]).sort());

      const secure = await project('outgoing', { ssl: { enforce_secure_endpoints: true } });
      const refused = await secure.call('POST', '/events/dynamic', {
        url: 'http://example.com/insecure',
        event_type: 't',
        data: {},
      });
      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((error: { field: string }) => error.field)).toEqual(['url']);
    });

    it('never refuses perPage: a bad one is the default, a large one is served up to the cap', async () => {
      const p = await project();
      for (const [perPage, used] of [
        ['0', 20],
        ['-3', 20],
        ['abc', 20],
        ['50', 50],
        ['5000', 1000],
      ] as const) {
        const response = await p.call('GET', `/endpoints?perPage=${perPage}`);
        expect(response.status).toBe(200);
        expect(response.body.data.pagination.per_page).toBe(used);
      }
    });

    it('reads sort and direction case-insensitively', async () => {
      const p = await project();
      const a = await p.call('POST', '/endpoints', { name: 'a', url: 'https://example.com/f' });
      const b = await p.call('POST', '/endpoints', { name: 'b', url: 'https://example.com/g' });
      expect(ids(await p.call('GET', '/endpoints?sort=asc'))).toEqual([a.body.data.uid, b.body.data.uid]);
      expect(ids(await p.call('GET', '/endpoints?sort=Desc&direction=NEXT'))).toEqual([
        b.body.data.uid,
        a.body.data.uid,
      ]);
    });

    it('covers the last 7 days when no dates are given: events, deliveries, meta events, batch replay and retry', async () => {
      const p = await project();
      const endpoint = await fixtures.endpoint(p.projectId);
      const send = async () =>
        (await p.call('POST', '/events', { endpoint_id: endpoint.id, event_type: 't', data: {} })).body.data.uid;
      const [oldEvent, newEvent] = [await send(), await send()];
      const oldDelivery = await fixtures.delivery(p.projectId, oldEvent, endpoint.id, DeliveryStatus.Failure);
      const newDelivery = await fixtures.delivery(p.projectId, newEvent, endpoint.id, DeliveryStatus.Failure);
      const oldMeta = await fixtures.metaEvent(p.projectId, MetaEventStatus.Failure);
      const newMeta = await fixtures.metaEvent(p.projectId, MetaEventStatus.Failure);
      const eightDaysAgo = new Date(Date.now() - 8 * DAY_MS);
      const sql = api.database.dataSource;
      await sql.query('UPDATE events SET created_at = $2 WHERE id = $1', [oldEvent, eightDaysAgo]);
      await sql.query('UPDATE event_deliveries SET created_at = $2 WHERE id = $1', [oldDelivery, eightDaysAgo]);
      await sql.query('UPDATE meta_events SET created_at = $2 WHERE id = $1', [oldMeta.id, eightDaysAgo]);

      expect(ids(await p.call('GET', '/events'))).toEqual([newEvent]);
      expect(ids(await p.call('GET', '/eventdeliveries'))).toEqual([newDelivery]);
      expect(ids(await p.call('GET', '/meta-events'))).toEqual([newMeta.id]);
      const since = new Date(Date.now() - 9 * DAY_MS).toISOString();
      expect(ids(await p.call('GET', `/events?startDate=${since}`))).toEqual([newEvent, oldEvent]);
      expect(ids(await p.call('GET', `/eventdeliveries?startDate=${since}`))).toEqual([newDelivery, oldDelivery]);
      expect(ids(await p.call('GET', `/meta-events?startDate=${since}`))).toEqual([newMeta.id, oldMeta.id]);

      const counted = await p.call('GET', '/events/countbatchreplayevents');
      expect(counted.body.data).toEqual({ num: 1 });
      const replayed = await p.call('POST', '/events/batchreplay');
      expect(replayed.body.data).toEqual({ num_success: 1, num_failure: 0 });
      const retried = await p.call('POST', '/eventdeliveries/batchretry');
      expect(retried.body.data).toEqual({ num_success: 1, num_failure: 0 });
      const statuses = await sql.query('SELECT id, status FROM event_deliveries WHERE id = ANY($1) ORDER BY id', [
        [oldDelivery, newDelivery],
      ]);
      expect(statuses).toEqual([
        { id: oldDelivery, status: 'Failure' },
        { id: newDelivery, status: 'Scheduled' },
      ]);
    });

    it('reads dates without a zone as UTC, whatever the server time zone', async () => {
      const previousZone = process.env['TZ'];
      process.env['TZ'] = 'America/New_York';
      try {
        const p = await project();
        const endpoint = await fixtures.endpoint(p.projectId);
        const event = await p.call('POST', '/events', { endpoint_id: endpoint.id, event_type: 't', data: {} });
        const at = new Date(Date.now() - DAY_MS);
        at.setUTCMinutes(0, 0, 0);
        await api.database.dataSource.query('UPDATE events SET created_at = $2 WHERE id = $1', [
          event.body.data.uid,
          at,
        ]);
        const utc = (offsetMinutes: number) =>
          new Date(at.getTime() + offsetMinutes * 60_000).toISOString().replace(/\.\d{3}Z$/, '');
        expect(ids(await p.call('GET', `/events?startDate=${utc(-30)}&endDate=${utc(30)}`))).toEqual([
          event.body.data.uid,
        ]);
        expect(ids(await p.call('GET', `/events?startDate=${utc(30)}&endDate=${utc(90)}`))).toEqual([]);
      } finally {
        if (previousZone === undefined) delete process.env['TZ'];
        else process.env['TZ'] = previousZone;
      }
    });
  });

  describe("Convoy's response headers", () => {
    it('answers JSON without the ETag and X-Powered-By that Express adds by default', async () => {
      const { call } = await project();
      const response = await call('GET', '/endpoints');
      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBeNull();
      expect(response.headers.get('x-powered-by')).toBeNull();
    });
  });

  describe("6. Convoy's list filters", () => {
    it('filters events by repeated sourceId and endpointId, in both spellings', async () => {
      const p = await project('incoming');
      const sources = [];
      for (const name of ['a', 'b', 'c']) {
        sources.push(await fixtures.source(p.projectId, { type: VerifierType.Noop }, { name }));
      }
      const events: string[] = [];
      for (const source of sources) {
        const response = await fetch(`${api.url}/ingest/${source.maskId}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        events.push(((await response.json()) as { data: { uid: string } }).data.uid);
      }
      const [a, b] = sources.map((source) => source.id);
      expect(ids(await p.call('GET', `/events?sourceId=${a}&sourceId=${b}`)).sort()).toEqual(
        [events[0], events[1]].sort(),
      );
      expect(ids(await p.call('GET', `/events?sourceId[]=${b}`))).toEqual([events[1]]);

      const out = await project();
      const [x, y, z] = await Promise.all([1, 2, 3].map(() => fixtures.endpoint(out.projectId)));
      const sent: string[] = [];
      for (const endpoint of [x, y, z]) {
        const response = await out.call('POST', '/events', { endpoint_id: endpoint.id, event_type: 't', data: {} });
        sent.push(response.body.data.uid);
      }
      expect(ids(await out.call('GET', `/events?endpointId=${x.id}&endpointId=${y.id}`)).sort()).toEqual(
        [sent[0], sent[1]].sort(),
      );
      expect(ids(await out.call('GET', `/events?endpointId[]=${z.id}`))).toEqual([sent[2]]);
    });

    it('filters deliveries by event_type as well as eventType', async () => {
      const p = await project();
      const endpoint = await fixtures.endpoint(p.projectId);
      const event = await p.call('POST', '/events', { endpoint_id: endpoint.id, event_type: 't', data: {} });
      const paid = await fixtures.delivery(p.projectId, event.body.data.uid, endpoint.id, DeliveryStatus.Success, {
        eventType: 'invoice.paid',
      });
      await fixtures.delivery(p.projectId, event.body.data.uid, endpoint.id, DeliveryStatus.Success, {
        eventType: 'invoice.sent',
      });
      expect(ids(await p.call('GET', '/eventdeliveries?event_type=invoice.paid'))).toEqual([paid]);
      expect(ids(await p.call('GET', '/eventdeliveries?eventType=invoice.paid'))).toEqual([paid]);
    });

    it('filters subscriptions by name and by endpointId in both spellings', async () => {
      const p = await project();
      const [e1, e2] = [await fixtures.endpoint(p.projectId), await fixtures.endpoint(p.projectId)];
      const billing = await fixtures.subscription(p.projectId, e1.id, { name: 'Billing events' });
      const shipping = await fixtures.subscription(p.projectId, e2.id, { name: 'shipping' });
      expect(ids(await p.call('GET', '/subscriptions?name=billing'))).toEqual([billing.id]);
      expect(ids(await p.call('GET', `/subscriptions?endpointId[]=${e2.id}`))).toEqual([shipping.id]);
      expect(ids(await p.call('GET', `/subscriptions?endpointId=${e1.id}&name=ship`))).toEqual([]);
    });

    it('filters meta events by startDate and endDate', async () => {
      const p = await project();
      const older = await fixtures.metaEvent(p.projectId);
      const newer = await fixtures.metaEvent(p.projectId);
      const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);
      await api.database.dataSource.query('UPDATE meta_events SET created_at = $2 WHERE id = $1', [
        older.id,
        twoDaysAgo,
      ]);
      const oneDayAgo = new Date(Date.now() - DAY_MS).toISOString();
      expect(ids(await p.call('GET', `/meta-events?startDate=${oneDayAgo}`))).toEqual([newer.id]);
      expect(ids(await p.call('GET', `/meta-events?endDate=${oneDayAgo}`))).toEqual([older.id]);
    });

    it('finds endpoints by query as well as q, and sources by type and provider', async () => {
      const p = await project('incoming');
      const orders = await p.call('POST', '/endpoints', { name: 'Orders', url: 'https://example.com/h' });
      await p.call('POST', '/endpoints', { name: 'refunds', url: 'https://example.com/i' });
      expect(ids(await p.call('GET', '/endpoints?query=order'))).toEqual([orders.body.data.uid]);
      expect(ids(await p.call('GET', '/endpoints?q=order'))).toEqual([orders.body.data.uid]);

      const github = await fixtures.source(
        p.projectId,
        {
          type: VerifierType.Hmac,
          hmac: { header: 'X-Hub-Signature-256', hash: 'SHA256', encoding: 'hex', secret: 's' },
        },
        { provider: SourceProvider.GitHub },
      );
      const plain = await fixtures.source(p.projectId, { type: VerifierType.Noop });
      const rest = await fixtures.source(p.projectId, { type: VerifierType.Noop }, { type: SourceType.RestApi });
      expect(ids(await p.call('GET', '/sources?provider=github'))).toEqual([github.id]);
      expect(ids(await p.call('GET', '/sources?type=rest_api'))).toEqual([rest.id]);
      expect(ids(await p.call('GET', '/sources?type=http')).sort()).toEqual([github.id, plain.id].sort());
    });

    it('counts what a batch replay with the same filters would replay (countbatchreplayevents)', async () => {
      const p = await project();
      const [x, y] = [await fixtures.endpoint(p.projectId), await fixtures.endpoint(p.projectId)];
      for (const endpoint of [x, x, y]) {
        await p.call('POST', '/events', { endpoint_id: endpoint.id, event_type: 't', data: {} });
      }
      const duplicate = { endpoint_id: x.id, event_type: 't', data: {}, idempotency_key: 'k' };
      await p.call('POST', '/events', duplicate);
      await p.call('POST', '/events', duplicate);
      const all = await p.call('GET', '/events/countbatchreplayevents');
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ status: true, data: { num: 4 } });
      expect((await p.call('GET', `/events/countbatchreplayevents?endpointId=${x.id}`)).body.data).toEqual({ num: 3 });
    });
  });
});
