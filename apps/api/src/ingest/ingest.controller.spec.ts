import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { sign as signLikeGitHub } from '@octokit/webhooks-methods';
import { SourceProvider, VerifierType } from '@caravan/domain';
import { ApiHarness, startApiHarness } from '../testing/api-harness';
import { collectDoorbells, Doorbells, EventFixtures, waitFor } from '../testing/event-fixtures.helper';

const hmac = (algorithm: string, secret: string, body: string | Buffer, encoding: 'hex' | 'base64') =>
  createHmac(algorithm, secret).update(body).digest(encoding);

describe('ingest (HTTP, real Postgres and Kafka)', () => {
  jest.setTimeout(60_000);
  let api: ApiHarness;
  let fixtures: EventFixtures;
  let bells: Doorbells;
  let projectId: string;

  const ingest = (maskId: string, body: string | Buffer, headers: Record<string, string> = {}, query = '') =>
    api.request('POST', `/ingest/${maskId}${query}`, {
      key: null,
      rawBody: body,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const eventsOf = (sourceId: string) =>
    api.database.dataSource.query('SELECT * FROM events WHERE source_id = $1 ORDER BY id', [sourceId]);

  beforeAll(async () => {
    api = await startApiHarness();
    fixtures = new EventFixtures(api.app);
    bells = await collectDoorbells(api.kafka, api.config.kafka.topics.events);
    ({ projectId } = await api.createProject('incoming'));
  });

  afterAll(async () => {
    await bells?.stop();
    await api?.close();
  });

  describe('GitHub', () => {
    const secret = 'gh-secret';
    // Pretty-printed with unicode: the signature covers these exact bytes.
    const body = '{\n  "action": "opened",\n  "title": "Zoë’s PR 🚀",\n  "id": 42\n}';

    it('accepts a genuine X-Hub-Signature-256 and stores the exact request as a source event', async () => {
      const source = await fixtures.source(
        projectId,
        { type: VerifierType.Hmac, hmac: { header: '', hash: 'SHA256', secret, encoding: 'hex' } },
        { provider: SourceProvider.GitHub },
      );
      const response = await ingest(
        source.maskId,
        body,
        // Signed by GitHub's own library, as GitHub signs deliveries.
        {
          'X-Hub-Signature-256': await signLikeGitHub(secret, body),
          'X-GitHub-Delivery': 'd-1',
          'X-GitHub-Event': 'pull_request',
        },
        '?ref=main&x=1',
      );
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        status: true,
        message: 'Event received',
        data: { uid: expect.any(String), event_type: source.maskId },
      });
      const [event] = await eventsOf(source.id);
      expect(event).toMatchObject({
        id: response.body.data.uid,
        routing: 'source',
        event_type: source.maskId,
        project_id: projectId,
        url_query_params: 'ref=main&x=1',
        status: 'Pending',
      });
      expect(Buffer.compare(event.raw, Buffer.from(body, 'utf8'))).toBe(0);
      expect(event.headers['X-GitHub-Delivery']).toEqual(['d-1']);
      expect(event.headers['X-GitHub-Event']).toEqual(['pull_request']);
      await waitFor(() => bells.messages.some((m) => m.key === event.id), 20_000, 'the doorbell');

      const read = await api.request('GET', `/api/v1/projects/${projectId}/events/${event.id}`);
      expect(read.body.data).toMatchObject({ source_id: source.id, raw: body, data: { action: 'opened', id: 42 } });
    });

    it.each([
      [
        'a wrong signature',
        (s: string) => ({ 'X-Hub-Signature-256': `sha256=${hmac('sha256', 'not-the-secret', s, 'hex')}` }),
      ],
      [
        'a signature of other bytes',
        (s: string) => ({
          'X-Hub-Signature-256': `sha256=${hmac('sha256', secret, JSON.stringify(JSON.parse(s)), 'hex')}`,
        }),
      ],
      ['no prefix', (s: string) => ({ 'X-Hub-Signature-256': hmac('sha256', secret, s, 'hex') })],
      ['no signature', () => ({})],
    ])('refuses %s with 401 and stores nothing', async (_name, headersFor) => {
      const source = await fixtures.source(
        projectId,
        { type: VerifierType.Hmac, hmac: { header: '', hash: 'SHA256', secret, encoding: 'hex' } },
        { provider: SourceProvider.GitHub },
      );
      const response = await ingest(source.maskId, body, headersFor(body));
      expect(response.status).toBe(401);
      expect(response.body.status).toBe(false);
      expect(await eventsOf(source.id)).toHaveLength(0);
    });
  });

  it('verifies Shopify (base64) and Twitter (sha256=base64) signatures', async () => {
    const body = '{"id":7,"total":"9.99"}';
    const shopify = await fixtures.source(
      projectId,
      { type: VerifierType.Hmac, hmac: { header: '', hash: 'SHA256', secret: 'shop', encoding: 'base64' } },
      { provider: SourceProvider.Shopify },
    );
    expect(
      (await ingest(shopify.maskId, body, { 'X-Shopify-Hmac-SHA256': hmac('sha256', 'shop', body, 'base64') })).status,
    ).toBe(200);
    expect(
      (await ingest(shopify.maskId, body, { 'X-Shopify-Hmac-SHA256': hmac('sha256', 'nope', body, 'base64') })).status,
    ).toBe(401);
    expect(
      (await ingest(shopify.maskId, body, { 'X-Shopify-Hmac-SHA256': hmac('sha256', 'shop', body, 'hex') })).status,
    ).toBe(401);

    const twitter = await fixtures.source(
      projectId,
      { type: VerifierType.Hmac, hmac: { header: '', hash: 'SHA256', secret: 'tw', encoding: 'base64' } },
      { provider: SourceProvider.Twitter },
    );
    expect(
      (
        await ingest(twitter.maskId, body, {
          'X-Twitter-Webhooks-Signature': `sha256=${hmac('sha256', 'tw', body, 'base64')}`,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await ingest(twitter.maskId, body, {
          'X-Twitter-Webhooks-Signature': `sha256=${hmac('sha256', 'x', body, 'base64')}`,
        })
      ).status,
    ).toBe(401);
    expect(await eventsOf(shopify.id)).toHaveLength(1);
    expect(await eventsOf(twitter.id)).toHaveLength(1);
  });

  it('verifies a generic hmac source with its own header, hash and encoding', async () => {
    const body = '{"n":1}';
    const source = await fixtures.source(projectId, {
      type: VerifierType.Hmac,
      hmac: { header: 'X-Sig', hash: 'SHA512', secret: 'k', encoding: 'base64' },
    });
    expect((await ingest(source.maskId, body, { 'X-Sig': hmac('sha512', 'k', body, 'base64') })).status).toBe(200);
    expect((await ingest(source.maskId, body, { 'X-Sig': hmac('sha256', 'k', body, 'base64') })).status).toBe(401);
  });

  it('answers the Twitter CRC challenge', async () => {
    const source = await fixtures.source(
      projectId,
      { type: VerifierType.Hmac, hmac: { header: '', hash: 'SHA256', secret: 'consumer-secret', encoding: 'base64' } },
      { provider: SourceProvider.Twitter },
    );
    const response = await api.request('GET', `/ingest/${source.maskId}?crc_token=challenge-123`, { key: null });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      response_token: `sha256=${hmac('sha256', 'consumer-secret', 'challenge-123', 'base64')}`,
    });
    const [row] = await api.database.dataSource.query('SELECT provider_config FROM sources WHERE id = $1', [source.id]);
    expect(row.provider_config.twitter.crc_verified_at).toEqual(expect.any(String));
    const missing = await api.request('GET', `/ingest/${source.maskId}`, { key: null });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('crc_token');
    const github = await fixtures.source(
      projectId,
      { type: VerifierType.Hmac, hmac: { header: '', hash: 'SHA256', secret: 's', encoding: 'hex' } },
      { provider: SourceProvider.GitHub },
    );
    expect((await api.request('GET', `/ingest/${github.maskId}?crc_token=x`, { key: null })).status).toBe(400);
  });

  it('answers CRC only for tokens of the shape Twitter sends, and rate-limits them per source', async () => {
    const secret = 'consumer-secret';
    const source = await fixtures.source(
      projectId,
      { type: VerifierType.Hmac, hmac: { header: '', hash: 'SHA256', secret, encoding: 'base64' } },
      { provider: SourceProvider.Twitter },
    );
    const crc = (token: string) =>
      api.request('GET', `/ingest/${source.maskId}?crc_token=${encodeURIComponent(token)}`, { key: null });
    // A webhook body as the "token" would make the answer the signature POST accepts.
    const body = '{"event":"forged"}';
    for (const forged of [body, '12345', 'true', 'a'.repeat(129), 'has space']) {
      const refused = await crc(forged);
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'crc_token' })]);
    }
    const forgedPost = await ingest(source.maskId, body, {
      'X-Twitter-Webhooks-Signature': `sha256=${hmac('sha256', secret, body, 'base64')}`,
    });
    expect(forgedPost.status).toBe(200); // the signature is still what POST checks, so it must never be handed out
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await crc(`Y2hhbGxlbmdl${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
  });

  it('checks basic_auth and api_key verifiers, and never stores their credentials on the event', async () => {
    const basic = await fixtures.source(projectId, {
      type: VerifierType.BasicAuth,
      basic_auth: { username: 'u', password: 'p@ss' },
    });
    const good = `Basic ${Buffer.from('u:p@ss').toString('base64')}`;
    expect((await ingest(basic.maskId, '{}', { authorization: good })).status).toBe(200);
    expect(
      (await ingest(basic.maskId, '{}', { authorization: `Basic ${Buffer.from('u:wrong').toString('base64')}` }))
        .status,
    ).toBe(401);
    expect((await ingest(basic.maskId, '{}')).status).toBe(401);
    const [basicEvent] = await eventsOf(basic.id);
    expect(Object.keys(basicEvent.headers).map((h) => h.toLowerCase())).not.toContain('authorization');

    const keyed = await fixtures.source(projectId, {
      type: VerifierType.ApiKey,
      api_key: { header_name: 'X-Api-Key', header_value: 'sekret' },
    });
    expect((await ingest(keyed.maskId, '{}', { 'X-Api-Key': 'sekret' })).status).toBe(200);
    expect((await ingest(keyed.maskId, '{}', { 'X-Api-Key': 'sekre' })).status).toBe(401);
    expect((await ingest(keyed.maskId, '{}')).status).toBe(401);
    const [keyedEvent] = await eventsOf(keyed.id);
    expect(JSON.stringify(keyedEvent.headers)).not.toContain('sekret');
  });

  describe('body size', () => {
    it('answers 413 for a declared body over max_payload_read_size, before reading it', async () => {
      const small = await api.createProject('incoming', { max_payload_read_size: 1024 });
      const source = await fixtures.source(small.projectId, { type: VerifierType.Noop });
      expect((await ingest(source.maskId, JSON.stringify({ a: 'x'.repeat(900) }))).status).toBe(200);
      const response = await ingest(source.maskId, JSON.stringify({ a: 'x'.repeat(2000) }));
      expect(response.status).toBe(413);
      expect(response.body.message).toContain('max_payload_read_size');
      expect(await eventsOf(source.id)).toHaveLength(1);
    });

    it('stops reading a streamed (chunked) body as soon as it passes the limit', async () => {
      const small = await api.createProject('incoming', { max_payload_read_size: 1024 });
      const source = await fixtures.source(small.projectId, { type: VerifierType.Noop });
      const url = new URL(`${api.url}/ingest/${source.maskId}`);
      // No Content-Length, and the body never ends on its own: the client keeps sending until
      // it has an answer. A server that buffered the whole body first would never answer.
      let ended = false;
      let sent = 0;
      const status = await new Promise<number>((resolve, reject) => {
        let answered = false;
        const request = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
          },
          (response) => {
            answered = true;
            response.resume();
            resolve(response.statusCode ?? 0);
            request.destroy();
          },
        );
        request.on('error', (error) => (answered ? undefined : reject(error)));
        const pump = () => {
          while (!answered) {
            if (sent >= 16 * 1024 * 1024) {
              ended = true;
              request.end();
              return;
            }
            sent += 512;
            if (!request.write(Buffer.alloc(512, 0x20))) {
              request.once('drain', pump);
              return;
            }
          }
        };
        pump();
      });
      expect(ended).toBe(false);
      expect(status).toBe(413);
      expect(await eventsOf(source.id)).toHaveLength(0);
    });

    it("takes a body over the global parsers' defaults when the project allows it", async () => {
      const source = await fixtures.source(projectId, { type: VerifierType.Noop });
      const form = `payload=${'y'.repeat(200 * 1024)}`;
      const response = await ingest(source.maskId, form, { 'content-type': 'application/x-www-form-urlencoded' });
      expect(response.status).toBe(200);
    });
  });

  it('answers 404 for an unknown mask and a disabled source', async () => {
    expect((await ingest('no-such-mask', '{}')).status).toBe(404);
    const disabled = await fixtures.source(projectId, { type: VerifierType.Noop }, { isDisabled: true });
    const response = await ingest(disabled.maskId, '{}');
    expect(response.status).toBe(404);
    expect(response.body.status).toBe(false);
  });

  it('dedupes with the source idempotency_keys: 200 "Duplicate event received", stored flagged, no doorbell', async () => {
    const source = await fixtures.source(
      projectId,
      { type: VerifierType.Noop },
      { idempotencyKeys: ['request.headers.X-GitHub-Delivery', 'request.body.id'] },
    );
    const first = await ingest(source.maskId, '{"id":"evt-1","v":1}', { 'X-GitHub-Delivery': 'del-9' });
    const second = await ingest(source.maskId, '{"id":"evt-1","v":2}', { 'X-GitHub-Delivery': 'del-9' });
    const different = await ingest(source.maskId, '{"id":"evt-2"}', { 'X-GitHub-Delivery': 'del-9' });
    expect(first.status).toBe(200);
    expect(first.body.message).toBe('Event received');
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: true, message: 'Duplicate event received, but will not be sent' });
    expect(different.body.message).toBe('Event received');
    const rows = await eventsOf(source.id);
    expect(
      rows.map((r: { idempotency_key: string; is_duplicate_event: boolean }) => [
        r.idempotency_key,
        r.is_duplicate_event,
      ]),
    ).toEqual([
      ['del-9,evt-1', false],
      ['del-9,evt-1', true],
      ['del-9,evt-2', false],
    ]);
    await waitFor(() => bells.messages.some((m) => m.key === rows[2].id), 20_000, 'the later doorbell');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(bells.messages.some((m) => m.key === rows[1].id)).toBe(false);
  });

  describe("Convoy's location syntax (sources created over the API)", () => {
    const createSource = async (body: object) => {
      const response = await api.request('POST', `/api/v1/projects/${projectId}/sources`, {
        body: {
          name: `src-${Math.random().toString(36).slice(2, 8)}`,
          type: 'http',
          verifier: { type: 'noop' },
          ...body,
        },
      });
      expect(response.status).toBe(201);
      return response.body.data as {
        uid: string;
        mask_id: string;
        event_type_location: string;
        idempotency_keys: string[];
      };
    };

    it("types ingested events by event_type_location (GitHub's X-GitHub-Event), the mask id when absent", async () => {
      const source = await createSource({ event_type_location: 'request.header.X-GitHub-Event' });
      expect(source.event_type_location).toBe('request.header.X-GitHub-Event');
      const typed = await ingest(source.mask_id, '{"action":"opened"}', { 'X-GitHub-Event': 'pull_request' });
      expect(typed.status).toBe(200);
      expect(typed.body.data.event_type).toBe('pull_request');
      const untyped = await ingest(source.mask_id, '{"action":"opened"}');
      expect(untyped.body.data.event_type).toBe(source.mask_id);
      // Longer than any event type the API accepts: not a type.
      const oversized = await ingest(source.mask_id, '{}', { 'X-GitHub-Event': 'x'.repeat(256) });
      expect(oversized.body.data.event_type).toBe(source.mask_id);
      const read = await api.request('GET', `/api/v1/projects/${projectId}/events/${typed.body.data.uid}`);
      expect(read.body.data.event_type).toBe('pull_request');

      const byBody = await createSource({ event_type_location: 'req.Body.meta.kind' });
      const fromBody = await ingest(byBody.mask_id, '{"meta":{"kind":"order.paid"}}');
      expect(fromBody.body.data.event_type).toBe('order.paid');
      const byQuery = await createSource({ event_type_location: 'request.QueryParam.type' });
      const fromQuery = await ingest(byQuery.mask_id, '{}', {}, '?type=refund.created');
      expect(fromQuery.body.data.event_type).toBe('refund.created');
    });

    it('dedupes by request.header / req.Body / request.QueryParam idempotency_keys; "" event_type_location is unset', async () => {
      const source = await createSource({
        idempotency_keys: ['request.header.X-Delivery', 'req.Body.id', 'request.QueryParam.ref'],
        event_type_location: '',
      });
      expect(source.event_type_location).toBe('');
      const first = await ingest(source.mask_id, '{"id":"e-1"}', { 'X-Delivery': 'd-1' }, '?ref=r1');
      const again = await ingest(source.mask_id, '{"id":"e-1","v":2}', { 'X-Delivery': 'd-1' }, '?ref=r1');
      const other = await ingest(source.mask_id, '{"id":"e-1"}', { 'X-Delivery': 'd-1' }, '?ref=r2');
      expect(first.body.message).toBe('Event received');
      expect(again.body.message).toBe('Duplicate event received, but will not be sent');
      expect(other.body.message).toBe('Event received');
      const rows = await eventsOf(source.uid);
      expect(rows.map((r: { idempotency_key: string }) => r.idempotency_key)).toEqual([
        'd-1,e-1,r1',
        'd-1,e-1,r1',
        'd-1,e-1,r2',
      ]);
    });

    it.each([['request.cookie.x'], ['headers.X-Id'], ['request.body.']])(
      'refuses the location %s with a 400 naming the field',
      async (location) => {
        const response = await api.request('POST', `/api/v1/projects/${projectId}/sources`, {
          body: { name: 'bad', type: 'http', event_type_location: location, idempotency_keys: [location] },
        });
        expect(response.status).toBe(400);
        expect(JSON.stringify(response.body)).toContain('event_type_location');
        expect(JSON.stringify(response.body)).toContain('idempotency_keys');
      },
    );
  });

  it('answers with the source custom_response', async () => {
    const source = await fixtures.source(
      projectId,
      { type: VerifierType.Noop },
      { customResponse: { body: '<ok/>', content_type: 'application/xml' } },
    );
    const response = await ingest(source.maskId, '{"a":1}');
    expect(response.status).toBe(200);
    expect(response.body).toBe('<ok/>');
    expect(response.headers.get('content-type')).toContain('application/xml');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await eventsOf(source.id)).toHaveLength(1);
    // A content type stored before it was validated never turns the answer into a 500.
    const legacy = await fixtures.source(
      projectId,
      { type: VerifierType.Noop },
      { customResponse: { body: 'ok', content_type: 'text/plain\r\nX-Injected: 1' } },
    );
    const answered = await ingest(legacy.maskId, '{"a":1}');
    expect(answered.status).toBe(200);
    expect(answered.headers.get('content-type')).toContain('text/plain');
    expect(answered.headers.get('x-injected')).toBeNull();
  });

  it('resolves idempotency-key paths through own properties only', async () => {
    const source = await fixtures.source(
      projectId,
      { type: VerifierType.Noop },
      {
        idempotencyKeys: ['request.body.constructor', 'request.body.__proto__'],
      },
    );
    expect((await ingest(source.maskId, '{"a":1}')).status).toBe(200);
    expect((await ingest(source.maskId, '{"a":2}')).status).toBe(200);
    const rows = await eventsOf(source.id);
    expect(rows).toHaveLength(2);
    expect(rows.map((row: { idempotency_key: string | null }) => row.idempotency_key)).toEqual([null, null]);
  });

  it('turns form-encoded and multipart bodies into JSON objects; keeps other bodies byte for byte', async () => {
    const source = await fixtures.source(projectId, { type: VerifierType.Noop });
    const form = await ingest(source.maskId, 'a=1&b=two+words&a=3&c=%C3%A9', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(200);
    const multipart = new FormData();
    multipart.append('name', 'Zoë');
    multipart.append('file', new Blob(['binary']), 'f.bin');
    const encoded = new Response(multipart);
    const multipartResponse = await ingest(source.maskId, Buffer.from(await encoded.arrayBuffer()), {
      'content-type': encoded.headers.get('content-type') ?? '',
    });
    expect(multipartResponse.status).toBe(200);
    const text = await ingest(source.maskId, 'plain text, not JSON', { 'content-type': 'text/plain' });
    expect(text.status).toBe(200);
    const badJson = await ingest(source.maskId, '{"a":');
    expect(badJson.status).toBe(400);
    expect(badJson.body.message).toContain('not valid JSON');

    const rows = await eventsOf(source.id);
    expect(rows.map((r: { raw: Buffer }) => r.raw.toString('utf8'))).toEqual([
      '{"a":["1","3"],"b":"two words","c":"é"}',
      '{"name":"Zoë"}',
      'plain text, not JSON',
    ]);
  });

  it('signs over the raw form bytes, not the JSON it becomes', async () => {
    const source = await fixtures.source(projectId, {
      type: VerifierType.Hmac,
      hmac: { header: 'X-Sig', hash: 'SHA256', secret: 'f', encoding: 'hex' },
    });
    const form = 'x=1&y=2';
    const response = await ingest(source.maskId, form, {
      'content-type': 'application/x-www-form-urlencoded',
      'X-Sig': hmac('sha256', 'f', form, 'hex'),
    });
    expect(response.status).toBe(200);
  });
});
