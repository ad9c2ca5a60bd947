import { SourcesRepository } from '@caravan/persistence';
import { ApiHarness, startApiHarness } from '../testing/api-harness';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MASK = /^[A-Za-z0-9]{16}$/;

const SERVICE_ACCOUNT = { type: 'service_account', project_id: 'p', client_email: 'svc@p.iam.gserviceaccount.com' };
const SERVICE_ACCOUNT_B64 = Buffer.from(JSON.stringify(SERVICE_ACCOUNT)).toString('base64');

const SQS = { access_key_id: 'AKIA1', secret_key: 'sk', default_region: 'eu-west-1', queue_name: 'events' };
const GOOGLE = { project_id: 'p', subscription_id: 'sub', service_account: SERVICE_ACCOUNT_B64 };
const KAFKA = { brokers: ['kafka-1:9092', 'kafka-2:9092'], topic_name: 'events' };
const AMQP = { host: 'rabbit', port: '5672', queue: 'events' };

describe('sources (HTTP, real Postgres and Kafka)', () => {
  jest.setTimeout(90_000);
  let api: ApiHarness;
  let projectId: string;
  let key: string;

  const path = (project: string, suffix = '') => `/api/v1/projects/${project}/sources${suffix}`;
  const create = async (body: object, project = projectId, apiKey = key) => {
    const response = await api.request('POST', path(project), { key: apiKey, body: { name: 'src', ...body } });
    if (response.status !== 201) throw new Error(`create: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.data;
  };

  beforeAll(async () => {
    api = await startApiHarness();
    ({ projectId, apiKey: key } = await api.createProject('incoming'));
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('POST /sources: http', () => {
    it("creates a noop http source with its ingest URL, in Convoy's shape", async () => {
      const response = await api.request('POST', path(projectId), { key, body: { name: 'inbound', type: 'http' } });
      expect(response.status).toBe(201);
      expect(response.body.message).toBe('Source created successfully');
      const data = response.body.data;
      expect(data).toEqual({
        uid: expect.stringMatching(ULID),
        project_id: projectId,
        mask_id: expect.stringMatching(MASK),
        name: 'inbound',
        type: 'http',
        provider: '',
        url: `${api.config.api.publicUrl}/ingest/${data.mask_id}`,
        is_disabled: false,
        verifier: { type: 'noop', hmac: null, basic_auth: null, api_key: null },
        custom_response: { body: '', content_type: '' },
        idempotency_keys: [],
        event_type_location: '',
        forward_headers: [],
        pub_sub: null,
        provider_config: null,
        body_function: '',
        header_function: '',
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
        deleted_at: null,
      });
      const read = await api.request('GET', path(projectId, `/${data.uid}`), { key });
      expect(read.status).toBe(200);
      expect(read.body.data).toEqual(data);
      expect((await api.app.get(SourcesRepository).findByMaskId(data.mask_id))?.id).toBe(data.uid);
    });

    it.each([
      [
        { type: 'hmac', hmac: { header: 'X-Sig', hash: 'SHA512', encoding: 'base64', secret: 's3' } },
        {
          type: 'hmac',
          hmac: { header: 'X-Sig', hash: 'SHA512', encoding: 'base64', secret: 's3' },
          basic_auth: null,
          api_key: null,
        },
      ],
      [
        { type: 'basic_auth', basic_auth: { username: 'u', password: 'p' } },
        { type: 'basic_auth', hmac: null, basic_auth: { username: 'u', password: 'p' }, api_key: null },
      ],
      [
        { type: 'api_key', api_key: { header_name: 'X-Key', header_value: 'v' } },
        { type: 'api_key', hmac: null, basic_auth: null, api_key: { header_name: 'X-Key', header_value: 'v' } },
      ],
    ])('stores the %j verifier and shows its secret', async (verifier, expected) => {
      const data = await create({ type: 'http', verifier });
      expect(data.verifier).toEqual(expected);
      const stored = await api.database.dataSource.query('SELECT verifier FROM sources WHERE id = $1', [data.uid]);
      expect(stored[0].verifier).toEqual(Object.fromEntries(Object.entries(expected).filter(([, v]) => v !== null)));
    });

    it('keeps only the sub-object of the verifier type (Convoy clients send placeholders for the others)', async () => {
      const data = await create({
        type: 'http',
        verifier: {
          type: 'api_key',
          api_key: { header_name: 'X-Key', header_value: 'v' },
          hmac: { header: '', hash: '', encoding: '', secret: '' },
          basic_auth: { username: '', password: '' },
        },
      });
      expect(data.verifier).toEqual({
        type: 'api_key',
        hmac: null,
        basic_auth: null,
        api_key: { header_name: 'X-Key', header_value: 'v' },
      });
    });

    it.each([
      ['github', { header: 'X-Hub-Signature-256', hash: 'SHA256', encoding: 'hex' }],
      ['shopify', { header: 'X-Shopify-Hmac-SHA256', hash: 'SHA256', encoding: 'base64' }],
      ['twitter', { header: 'X-Twitter-Webhooks-Signature', hash: 'SHA256', encoding: 'base64' }],
    ])('the %s provider implies its hmac preset', async (provider, preset) => {
      const data = await create({
        type: 'http',
        provider,
        verifier: { type: 'hmac', hmac: { secret: 'whs', header: 'X-Other', hash: 'SHA512', encoding: 'hex' } },
      });
      expect(data.provider).toBe(provider);
      expect(data.verifier).toEqual({
        type: 'hmac',
        hmac: { ...preset, secret: 'whs' },
        basic_auth: null,
        api_key: null,
      });
    });

    it('stores custom_response, idempotency_keys, forward_headers, functions and is_disabled', async () => {
      const body = {
        type: 'http',
        custom_response: { body: '{"ok":true}', content_type: 'application/json' },
        idempotency_keys: ['request.headers.X-Id', 'request.body.id', 'request.query.ref'],
        forward_headers: ['X-Trace'],
        body_function: 'function transform(payload) { return payload }',
        header_function: 'function transform(headers) { return headers }',
        is_disabled: true,
      };
      const data = await create(body);
      const { type: _type, ...rest } = body;
      expect(data).toMatchObject(rest);
    });
  });

  describe('POST /sources: pub_sub', () => {
    it("stores an sqs source with Caravan's endpoint, and workers default to 1", async () => {
      const data = await create({
        type: 'pub_sub',
        pub_sub: { type: 'sqs', sqs: { ...SQS, endpoint: 'http://localhost:4566' } },
      });
      expect(data.pub_sub).toEqual({
        type: 'sqs',
        workers: 1,
        sqs: { ...SQS, endpoint: 'http://localhost:4566' },
        google: null,
        kafka: null,
        amqp: null,
      });
      expect(data.verifier).toEqual({ type: 'noop', hmac: null, basic_auth: null, api_key: null });
      expect(data.url).toBe('');
    });

    it.each([
      ["base64 (Convoy's []byte)", SERVICE_ACCOUNT_B64],
      ['an object', SERVICE_ACCOUNT],
      ['a byte array', [...Buffer.from(JSON.stringify(SERVICE_ACCOUNT))]],
    ])('takes the google service account as %s and answers base64', async (_form, serviceAccount) => {
      const data = await create({
        type: 'pub_sub',
        pub_sub: { type: 'google', workers: 3, google: { ...GOOGLE, service_account: serviceAccount } },
      });
      expect(data.pub_sub).toMatchObject({
        type: 'google',
        workers: 3,
        google: { ...GOOGLE, service_account: SERVICE_ACCOUNT_B64 },
      });
      expect(JSON.parse(Buffer.from(data.pub_sub.google.service_account, 'base64').toString())).toEqual(
        SERVICE_ACCOUNT,
      );
    });

    it('stores a kafka source with its auth', async () => {
      const auth = { type: 'scram', hash: 'SHA512', tls: true, username: 'u', password: 'p' };
      const data = await create({
        type: 'pub_sub',
        pub_sub: { type: 'kafka', workers: 2, kafka: { ...KAFKA, consumer_group_id: 'g', auth } },
      });
      expect(data.pub_sub).toEqual({
        type: 'kafka',
        workers: 2,
        sqs: null,
        google: null,
        kafka: { ...KAFKA, consumer_group_id: 'g', auth },
        amqp: null,
      });
    });

    it('stores an amqp source and answers the binding the way Convoy does', async () => {
      const data = await create({
        type: 'pub_sub',
        pub_sub: {
          type: 'amqp',
          amqp: {
            ...AMQP,
            port: 5671,
            schema: 'amqps',
            vhost: '/prod',
            auth: { user: 'guest', password: 'pw' },
            bindExchange: { exchange: 'ex', routingKey: 'rk' },
            deadLetterExchange: 'dlx',
          },
        },
      });
      expect(data.pub_sub.amqp).toEqual({
        schema: 'amqps',
        host: 'rabbit',
        port: '5671',
        queue: 'events',
        vhost: '/prod',
        auth: { user: 'guest', password: 'pw' },
        bindedExchange: 'ex',
        routingKey: 'rk',
        deadLetterExchange: 'dlx',
      });
      const stored = await api.database.dataSource.query('SELECT pub_sub FROM sources WHERE id = $1', [data.uid]);
      expect(stored[0].pub_sub.amqp.bindExchange).toEqual({ exchange: 'ex', routingKey: 'rk' });

      // What a read answered can be sent back: Convoy's flattened binding is accepted too.
      const echoed = await create({ type: 'pub_sub', pub_sub: { type: 'amqp', amqp: data.pub_sub.amqp } });
      expect(echoed.pub_sub.amqp).toEqual(data.pub_sub.amqp);
    });

    it('keeps only the sub-config of the broker type', async () => {
      const data = await create({
        type: 'pub_sub',
        pub_sub: { type: 'kafka', kafka: KAFKA, sqs: { queue_name: '' }, amqp: {} },
      });
      expect(data.pub_sub).toEqual({
        type: 'kafka',
        workers: 1,
        sqs: null,
        google: null,
        kafka: { ...KAFKA, consumer_group_id: '', auth: null },
        amqp: null,
      });
    });
  });

  describe('validation', () => {
    const pubSub = (config: object) => ({ type: 'pub_sub', pub_sub: config });
    const http = (verifier: object, extra: object = {}) => ({ type: 'http', verifier, ...extra });
    it.each([
      [{ type: 'http', name: undefined }, 'name'],
      [{ type: 'ftp' }, 'type'],
      [{}, 'type'],
      [{ type: 'db_change_stream' }, 'type'],
      [{ type: 'http', provider: 'gitlab' }, 'provider'],
      [http({ type: 'jwt' }), 'verifier.type'],
      [http({ type: 'hmac' }), 'verifier.hmac'],
      [http({ type: 'hmac', hmac: { secret: 's', hash: 'SHA256', encoding: 'hex' } }), 'verifier.hmac.header'],
      [http({ type: 'hmac', hmac: { secret: 's', header: 'X', encoding: 'hex' } }), 'verifier.hmac.hash'],
      [http({ type: 'hmac', hmac: { secret: 's', header: 'X', hash: 'SHA256' } }), 'verifier.hmac.encoding'],
      [http({ type: 'hmac', hmac: { secret: 's', header: 'X', hash: 'MD5', encoding: 'hex' } }), 'verifier.hmac.hash'],
      [
        http({ type: 'hmac', hmac: { secret: 's', header: 'X', hash: 'SHA256', encoding: 'utf8' } }),
        'verifier.hmac.encoding',
      ],
      [http({ type: 'hmac', hmac: { header: 'X', hash: 'SHA256', encoding: 'hex' } }), 'verifier.hmac.secret'],
      [http({ type: 'basic_auth' }), 'verifier.basic_auth'],
      [http({ type: 'basic_auth', basic_auth: { username: '', password: 'p' } }), 'verifier.basic_auth.username'],
      [
        http({ type: 'api_key', api_key: { header_name: 'bad name', header_value: 'v' } }),
        'verifier.api_key.header_name',
      ],
      [{ type: 'http', provider: 'github' }, 'verifier.hmac.secret'],
      [http({ type: 'hmac', hmac: { secret: '' } }, { provider: 'github' }), 'verifier.hmac.secret'],
      [
        http({ type: 'basic_auth', basic_auth: { username: 'u', password: 'p' } }, { provider: 'github' }),
        'verifier.type',
      ],
      [{ ...pubSub({ type: 'kafka', kafka: KAFKA }), provider: 'github' }, 'provider'],
      [{ type: 'pub_sub' }, 'pub_sub'],
      [pubSub({ type: 'redis' }), 'pub_sub.type'],
      [pubSub({ type: 'kafka', workers: 101, kafka: KAFKA }), 'pub_sub.workers'],
      [pubSub({ type: 'kafka', workers: 1.5, kafka: KAFKA }), 'pub_sub.workers'],
      [pubSub({ type: 'kafka' }), 'pub_sub.kafka'],
      [pubSub({ type: 'kafka', kafka: { topic_name: 't' } }), 'pub_sub.kafka.brokers'],
      [pubSub({ type: 'kafka', kafka: { topic_name: 't', brokers: [] } }), 'pub_sub.kafka.brokers'],
      [pubSub({ type: 'kafka', kafka: { topic_name: 't', brokers: ['no-port'] } }), 'pub_sub.kafka.brokers'],
      [pubSub({ type: 'kafka', kafka: { brokers: ['k:9092'] } }), 'pub_sub.kafka.topic_name'],
      [pubSub({ type: 'kafka', kafka: { ...KAFKA, auth: { type: 'oauth' } } }), 'pub_sub.kafka.auth.type'],
      [pubSub({ type: 'kafka', kafka: { ...KAFKA, auth: { type: 'scram', hash: 'MD5' } } }), 'pub_sub.kafka.auth.hash'],
      [pubSub({ type: 'kafka', kafka: { ...KAFKA, auth: { type: 'plain', username: 'u' } } }), 'pub_sub.kafka.auth'],
      [pubSub({ type: 'sqs' }), 'pub_sub.sqs'],
      [pubSub({ type: 'sqs', sqs: { ...SQS, queue_name: undefined } }), 'pub_sub.sqs.queue_name'],
      [pubSub({ type: 'sqs', sqs: { ...SQS, default_region: '' } }), 'pub_sub.sqs.default_region'],
      [pubSub({ type: 'sqs', sqs: { ...SQS, access_key_id: undefined } }), 'pub_sub.sqs.access_key_id'],
      [pubSub({ type: 'sqs', sqs: { ...SQS, secret_key: undefined } }), 'pub_sub.sqs.secret_key'],
      [pubSub({ type: 'sqs', sqs: { ...SQS, endpoint: 'not a url' } }), 'pub_sub.sqs.endpoint'],
      [pubSub({ type: 'google' }), 'pub_sub.google'],
      [pubSub({ type: 'google', google: { ...GOOGLE, project_id: undefined } }), 'pub_sub.google.project_id'],
      [pubSub({ type: 'google', google: { ...GOOGLE, subscription_id: undefined } }), 'pub_sub.google.subscription_id'],
      [pubSub({ type: 'google', google: { ...GOOGLE, service_account: undefined } }), 'pub_sub.google.service_account'],
      [
        pubSub({ type: 'google', google: { ...GOOGLE, service_account: 'not base64!' } }),
        'pub_sub.google.service_account',
      ],
      [
        pubSub({ type: 'google', google: { ...GOOGLE, service_account: Buffer.from('not json').toString('base64') } }),
        'pub_sub.google.service_account',
      ],
      [pubSub({ type: 'google', google: { ...GOOGLE, service_account: [1, 999] } }), 'pub_sub.google.service_account'],
      [pubSub({ type: 'amqp' }), 'pub_sub.amqp'],
      [pubSub({ type: 'amqp', amqp: { ...AMQP, host: undefined } }), 'pub_sub.amqp.host'],
      [pubSub({ type: 'amqp', amqp: { ...AMQP, port: undefined } }), 'pub_sub.amqp.port'],
      [pubSub({ type: 'amqp', amqp: { ...AMQP, port: 'http' } }), 'pub_sub.amqp.port'],
      [pubSub({ type: 'amqp', amqp: { ...AMQP, queue: undefined } }), 'pub_sub.amqp.queue'],
      [pubSub({ type: 'amqp', amqp: { ...AMQP, schema: 'http' } }), 'pub_sub.amqp.schema'],
      [pubSub({ type: 'amqp', amqp: { ...AMQP, auth: { password: 'p' } } }), 'pub_sub.amqp.auth.user'],
      [
        pubSub({ type: 'amqp', amqp: { ...AMQP, bindExchange: { routingKey: 'rk' } } }),
        'pub_sub.amqp.bindExchange.exchange',
      ],
      [
        { type: 'http', custom_response: { body: 'ok', content_type: 'text/plain\r\nX-A: b' } },
        'custom_response.content_type',
      ],
      [{ type: 'http', custom_response: { body: 'ok', content_type: 'not a type' } }, 'custom_response.content_type'],
      [{ type: 'http', idempotency_keys: ['headers.X-Id'] }, 'idempotency_keys'],
      [{ type: 'http', idempotency_keys: 'request.body.id' }, 'idempotency_keys'],
      [{ type: 'http', idempotency_keys: ['request.query_params.ref'] }, 'idempotency_keys'],
      [{ type: 'http', idempotency_keys: ['request.body.'] }, 'idempotency_keys'],
      [{ type: 'http', forward_headers: ['bad header'] }, 'forward_headers'],
      [{ type: 'http', body_function: 'return payload' }, 'body_function'],
      [{ type: 'http', body_function: `function transform(p) { return p } ${'x'.repeat(64 * 1024)}` }, 'body_function'],
      [{ type: 'http', header_function: 42 }, 'header_function'],
      [{ type: 'http', is_disabled: 'no' }, 'is_disabled'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const response = await api.request('POST', path(projectId), { key, body: { name: 'bad', ...body } });
      expect(response.status).toBe(400);
      expect(response.body.status).toBe(false);
      expect(response.body.message).toContain(field);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it('names a kafka source without brokers exactly', async () => {
      const response = await api.request('POST', path(projectId), {
        key,
        body: { name: 'k', type: 'pub_sub', pub_sub: { type: 'kafka', workers: 1, kafka: { topic_name: 't' } } },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors.every((error: { field: string }) => error.field === 'pub_sub.kafka.brokers')).toBe(
        true,
      );
    });
  });

  describe('GET /sources', () => {
    it('pages with next and prev, filters by type and provider, and gives every source its own mask id', async () => {
      const paged = await api.createProject('incoming');
      const all: string[] = [];
      const masks = new Set<string>();
      for (let i = 0; i < 25; i++) {
        const body =
          i % 5 === 0
            ? { type: 'pub_sub', pub_sub: { type: 'kafka', kafka: KAFKA } }
            : i % 5 === 1
              ? { type: 'http', provider: 'github', verifier: { type: 'hmac', hmac: { secret: 's' } } }
              : { type: 'http' };
        const source = await create({ name: `s${i}`, ...body }, paged.projectId, paged.apiKey);
        all.push(source.uid);
        masks.add(source.mask_id);
      }
      expect(masks.size).toBe(25);
      const list = (query: string) => api.request('GET', path(paged.projectId, query), { key: paged.apiKey });
      const ids = (response: { body: any }) => response.body.data.content.map((s: { uid: string }) => s.uid);
      const seen: string[] = [];
      const pages: any[] = [];
      let response = await list('?perPage=10&sort=ASC');
      for (;;) {
        pages.push(response.body.data);
        seen.push(...ids(response));
        if (!response.body.data.pagination.has_next_page) break;
        response = await list(
          `?perPage=10&sort=ASC&direction=next&next_page_cursor=${response.body.data.pagination.next_page_cursor}`,
        );
      }
      expect(seen).toEqual(all);
      expect(pages.map((page) => page.content.length)).toEqual([10, 10, 5]);
      const back = await list(
        `?perPage=10&sort=ASC&direction=prev&prev_page_cursor=${pages[1].pagination.prev_page_cursor}`,
      );
      expect(ids(back)).toEqual(all.slice(0, 10));
      expect(back.body.data.pagination).toMatchObject({ has_prev_page: false, has_next_page: true });

      expect(ids(await list('?perPage=100&sort=ASC&type=pub_sub'))).toEqual(all.filter((_, i) => i % 5 === 0));
      expect(ids(await list('?perPage=100&sort=ASC&provider=github'))).toEqual(all.filter((_, i) => i % 5 === 1));
      expect((await list('?type=smtp')).status).toBe(400);
    });
  });

  describe('PUT /sources/:id', () => {
    it('changes the given fields (202) and keeps the mask id and URL', async () => {
      const source = await create({ type: 'http', custom_response: { body: 'ok', content_type: 'text/plain' } });
      const response = await api.request('PUT', path(projectId, `/${source.uid}`), {
        key,
        body: {
          name: 'renamed',
          verifier: { type: 'basic_auth', basic_auth: { username: 'u', password: 'p' } },
          custom_response: null,
          idempotency_keys: ['request.body.id'],
          is_disabled: true,
        },
      });
      expect(response.status).toBe(202);
      expect(response.body.message).toBe('Source updated successfully');
      expect(response.body.data).toEqual({
        ...source,
        name: 'renamed',
        verifier: { type: 'basic_auth', hmac: null, basic_auth: { username: 'u', password: 'p' }, api_key: null },
        custom_response: { body: '', content_type: '' },
        idempotency_keys: ['request.body.id'],
        is_disabled: true,
        updated_at: expect.stringMatching(ISO),
      });
    });

    it('re-checks the provider preset and the type against the stored config', async () => {
      const source = await create({
        type: 'http',
        provider: 'github',
        verifier: { type: 'hmac', hmac: { secret: 'old' } },
      });
      const rotated = await api.request('PUT', path(projectId, `/${source.uid}`), {
        key,
        body: { verifier: { type: 'hmac', hmac: { secret: 'new' } } },
      });
      expect(rotated.status).toBe(202);
      expect(rotated.body.data.verifier.hmac).toEqual({
        header: 'X-Hub-Signature-256',
        hash: 'SHA256',
        encoding: 'hex',
        secret: 'new',
      });
      const renamed = await api.request('PUT', path(projectId, `/${source.uid}`), { key, body: { name: 'n' } });
      expect(renamed.body.data.verifier.hmac.secret).toBe('new');

      const noop = await api.request('PUT', path(projectId, `/${source.uid}`), {
        key,
        body: { verifier: { type: 'noop' } },
      });
      expect(noop.status).toBe(400);
      expect(noop.body.errors.map((e: { field: string }) => e.field)).toEqual([
        'verifier.type',
        'verifier.hmac.secret',
      ]);
      // "" leaves the provider as it is (Convoy's "not set"), so the preset still needs its secret.
      const kept = await api.request('PUT', path(projectId, `/${source.uid}`), {
        key,
        body: { provider: '', verifier: { type: 'noop' } },
      });
      expect(kept.status).toBe(400);
      const dropped = await api.request('PUT', path(projectId, `/${source.uid}`), {
        key,
        body: { provider: null, verifier: { type: 'noop' } },
      });
      expect(dropped.body.data).toMatchObject({ provider: '', verifier: { type: 'noop' } });

      const toPubSub = await api.request('PUT', path(projectId, `/${source.uid}`), { key, body: { type: 'pub_sub' } });
      expect(toPubSub.status).toBe(400);
      expect(toPubSub.body.errors.map((e: { field: string }) => e.field)).toEqual(['pub_sub']);
      const converted = await api.request('PUT', path(projectId, `/${source.uid}`), {
        key,
        body: { type: 'pub_sub', pub_sub: { type: 'amqp', workers: 4, amqp: AMQP } },
      });
      expect(converted.status).toBe(202);
      expect(converted.body.data).toMatchObject({ type: 'pub_sub', url: '', pub_sub: { type: 'amqp', workers: 4 } });
    });

    it.each([
      [{ type: 'db_change_stream' }, 'type'],
      [{ pub_sub: { type: 'kafka', kafka: { topic_name: 't' } } }, 'pub_sub.kafka.brokers'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const source = await create({ type: 'http' });
      const response = await api.request('PUT', path(projectId, `/${source.uid}`), { key, body });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });
  });

  describe('DELETE and access', () => {
    it('soft-deletes the source and the subscriptions bound to it', async () => {
      const source = await create({ type: 'http' });
      const endpoint = await api.request('POST', `/api/v1/projects/${projectId}/endpoints`, {
        key,
        body: { name: 'e', url: 'https://example.com' },
      });
      const subscription = await api.request('POST', `/api/v1/projects/${projectId}/subscriptions`, {
        key,
        body: { name: 's', endpoint_id: endpoint.body.data.uid, source_id: source.uid },
      });
      expect(subscription.status).toBe(201);
      const deleted = await api.request('DELETE', path(projectId, `/${source.uid}`), { key });
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual({ status: true, message: 'Source deleted successfully', data: null });
      for (const [method, body] of [['GET'], ['PUT', { name: 'x' }], ['DELETE']] as const) {
        const response = await api.request(method, path(projectId, `/${source.uid}`), { key, body });
        expect(response.status).toBe(404);
        expect(response.body).toEqual({ status: false, message: `source ${source.uid} not found` });
      }
      expect(await api.app.get(SourcesRepository).findByMaskId(source.mask_id)).toBeNull();
      const sub = await api.request(
        'GET',
        `/api/v1/projects/${projectId}/subscriptions/${subscription.body.data.uid}`,
        { key },
      );
      expect(sub.status).toBe(404);
      const rows = await api.database.dataSource.query('SELECT deleted_at FROM sources WHERE id = $1', [source.uid]);
      expect(rows[0].deleted_at).toBeInstanceOf(Date);
    });

    it("refuses another project's key (403) and hides another project's source (404)", async () => {
      const other = await api.createProject('incoming');
      const theirs = await create({ type: 'http' }, other.projectId, other.apiKey);
      const routes: Array<[string, string, object?]> = [
        ['POST', '', { name: 'x', type: 'http' }],
        ['GET', ''],
        ['GET', `/${theirs.uid}`],
        ['PUT', `/${theirs.uid}`, { name: 'x' }],
        ['DELETE', `/${theirs.uid}`],
      ];
      for (const [method, suffix, body] of routes) {
        const crossed = await api.request(method, path(other.projectId, suffix), { key, body });
        expect([method, suffix, crossed.status]).toEqual([method, suffix, 403]);
        expect((await api.request(method, path(other.projectId, suffix), { key: null, body })).status).toBe(401);
      }
      for (const [method, body] of [['GET'], ['PUT', { name: 'x' }], ['DELETE']] as const) {
        expect((await api.request(method, path(projectId, `/${theirs.uid}`), { key, body })).status).toBe(404);
      }
      const still = await api.request('GET', path(other.projectId, `/${theirs.uid}`), { key: other.apiKey });
      expect(still.body.data).toMatchObject({ name: 'src', deleted_at: null });
    });
  });

  describe('OpenAPI', () => {
    it('documents the endpoint, subscription and source routes and their DTOs', async () => {
      const response = await api.request('GET', '/api/v1/openapi.json', { key: null });
      expect(response.status).toBe(200);
      const document = response.body;
      const paths = Object.keys(document.paths);
      for (const route of [
        '/api/v1/projects/{projectID}/endpoints',
        '/api/v1/projects/{projectID}/endpoints/{endpointID}/expire_secret',
        '/api/v1/projects/{projectID}/endpoints/{endpointID}/pause',
        '/api/v1/projects/{projectID}/endpoints/{endpointID}/activate',
        '/api/v1/projects/{projectID}/subscriptions',
        '/api/v1/projects/{projectID}/subscriptions/test_filter',
        '/api/v1/projects/{projectID}/sources/{sourceID}',
      ]) {
        expect(paths).toContain(route);
      }
      expect(document.paths['/api/v1/projects/{projectID}/sources'].post.tags).toEqual(['sources']);
      expect(document.paths['/api/v1/projects/{projectID}/endpoints'].get.tags).toEqual(['endpoints']);
      expect(document.paths['/api/v1/projects/{projectID}/subscriptions'].get.tags).toEqual(['subscriptions']);
      const schemas = document.components.schemas;
      const properties = (name: string) => Object.keys(schemas[name]?.properties ?? {});
      expect(properties('CreateEndpointDto')).toEqual(
        expect.arrayContaining(['url', 'name', 'secret', 'signature_format', 'authentication']),
      );
      expect(schemas.CreateEndpointDto.required).toEqual(expect.arrayContaining(['url', 'name']));
      expect(properties('UpdateEndpointDto')).toEqual(expect.arrayContaining(['url', 'name']));
      expect(schemas.UpdateEndpointDto.required ?? []).toEqual([]);
      expect(properties('ExpireSecretDto')).toEqual(['secret', 'expiration']);
      expect(properties('CreateSubscriptionDto')).toEqual(
        expect.arrayContaining(['name', 'endpoint_id', 'source_id', 'filter_config']),
      );
      expect(properties('TestFilterDto')).toEqual(['request', 'schema']);
      expect(properties('CreateSourceDto')).toEqual(
        expect.arrayContaining([
          'name',
          'type',
          'provider',
          'verifier',
          'pub_sub',
          'custom_response',
          'idempotency_keys',
        ]),
      );
      expect(properties('PubSubDto')).toEqual(['type', 'workers', 'sqs', 'google', 'kafka', 'amqp']);
      expect(properties('KafkaPubSubDto')).toEqual(expect.arrayContaining(['brokers', 'topic_name', 'auth']));
      expect(properties('SqsPubSubDto')).toContain('endpoint');
      expect(properties('AmqpPubSubDto')).toEqual(
        expect.arrayContaining(['host', 'port', 'queue', 'bindExchange', 'vhost']),
      );
      expect(properties('VerifierDto')).toEqual(['type', 'hmac', 'basic_auth', 'api_key']);
    });
  });
});
