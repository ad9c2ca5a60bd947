import {
  generateStandardWebhooksSecret,
  RetryStrategyType,
  SignatureEncoding,
  SignatureFormat,
  SignatureHash,
  signSimple,
  verifyAdvancedSignature,
} from '@caravan/domain';
import { EndpointEntity, ProjectEntity } from '@caravan/persistence';
import { insertEndpoint, insertProject, insertSubscription } from '@caravan/testing';
import { Webhook } from 'standardwebhooks';
import { DispatcherHarness } from './support/dispatcher-harness';
import { defined } from './support/webhook-receiver';

/**
 * The whole delivery path against real Kafka, Postgres and an HTTP receiver: router → sender
 * → state machine, signatures verified at the receiver, retries, final states.
 */
describe('dispatcher: delivery lifecycle', () => {
  jest.setTimeout(120_000);
  let h: DispatcherHarness;
  let project: ProjectEntity;

  const secret = (value: string, createdAt: string) => ({
    uid: `s-${value.slice(0, 6)}`,
    value,
    created_at: createdAt,
    expires_at: null,
  });

  async function endpoint(path: string, fields: Partial<EndpointEntity> = {}): Promise<EndpointEntity> {
    const created = await insertEndpoint(h.dataSource, project.id, {
      url: h.receiver.url(path),
      secrets: [secret('convoy-webhook-secret', '2024-01-01T00:00:00Z')],
      ...fields,
    });
    await insertSubscription(h.dataSource, project.id, created.id);
    return created;
  }

  beforeAll(async () => {
    h = await DispatcherHarness.start('lifecycle');
    project = await insertProject(h.dataSource, {
      config: {
        strategy: {
          type: RetryStrategyType.Linear,
          duration: 1,
          retry_count: 3,
        },
      },
    });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('delivers with a simple SHA256-hex signature, the exact bytes and the documented headers', async () => {
    const target = await endpoint('/simple');
    const body = '{\n  "event": "charge.success",\n  "amount": 1000,\n  "name": "Zoë ✓ 日本"\n}';
    const event = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
      eventType: 'charge.success',
      body,
      idempotencyKey: 'idem-1',
      headers: { 'X-Custom': ['yes'] },
    });
    const [delivery] = await h.settled(event.id);
    expect(delivery?.status).toBe('Success');
    expect(delivery?.attempts).toBe(1);
    expect(delivery?.latencyMs).not.toBeNull();
    const [request] = h.receiver.at('/simple');
    expect(request?.body.equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(request?.headers['x-convoy-signature']).toBe(signSimple(Buffer.from(body, 'utf8'), 'convoy-webhook-secret'));
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Caravan/0.1.0',
      'x-convoy-idempotency-key': 'idem-1',
      'x-custom': 'yes',
      'x-convoy-event-type': 'charge.success',
      'x-convoy-event-id': event.id,
      'x-convoy-delivery-id': delivery?.id,
    });
    const attempts = await h.attemptsOf(defined(delivery).id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      httpStatus: 200,
      success: true,
      ipAddress: '127.0.0.1',
      responseData: 'ok',
    });
  });

  it('signs advanced signatures with one v1 per live secret', async () => {
    const target = await endpoint('/advanced', {
      advancedSignatures: true,
      secrets: [secret('old-secret-0001', '2024-01-01T00:00:00Z'), secret('new-secret-0002', '2024-06-01T00:00:00Z')],
    });
    const body = '{"a":1}';
    const event = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
      body,
    });
    await h.settled(event.id);
    const header = String(h.receiver.at('/advanced')[0]?.headers['x-convoy-signature']);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    for (const candidate of ['old-secret-0001', 'new-secret-0002']) {
      expect(
        verifyAdvancedSignature({
          body: Buffer.from(body),
          header,
          secrets: [candidate],
          hash: SignatureHash.SHA256,
          encoding: SignatureEncoding.Hex,
          now: new Date(),
          toleranceSeconds: 300,
        }),
      ).toBe(true);
    }
  });

  it('signs Standard Webhooks endpoints verifiably, webhook-id = the delivery id', async () => {
    const whsec = generateStandardWebhooksSecret();
    const target = await endpoint('/standard', {
      signatureFormat: SignatureFormat.StandardWebhooks,
      secrets: [secret(whsec, '2024-01-01T00:00:00Z')],
    });
    const body = '{"type":"invoice.paid",  "ünï": "cødé"}';
    const event = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
      body,
    });
    const [delivery] = await h.settled(event.id);
    const request = defined(h.receiver.at('/standard')[0]);
    expect(request.headers['x-convoy-signature']).toBeUndefined();
    expect(request.headers['webhook-id']).toBe(delivery?.id);
    expect(() =>
      new Webhook(whsec).verify(request.body.toString('utf8'), request.headers as Record<string, string>),
    ).not.toThrow();
  });

  it('500, 500, 200 ends in Success after 3 attempts spaced by the linear interval', async () => {
    h.receiver.script('/flaky', { status: 500 }, { status: 500 }, { status: 200 });
    const target = await endpoint('/flaky');
    const event = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
    });
    const [delivery] = await h.settled(event.id);
    expect(delivery).toMatchObject({ status: 'Success', attempts: 3 });
    const times = h.receiver.at('/flaky').map((r) => r.at);
    expect(times).toHaveLength(3);
    expect(defined(times[1]) - defined(times[0])).toBeGreaterThanOrEqual(900);
    expect(defined(times[2]) - defined(times[1])).toBeGreaterThanOrEqual(900);
    const attempts = await h.attemptsOf(defined(delivery).id);
    expect(attempts.map((a) => a.httpStatus)).toEqual([500, 500, 200]);
  });

  it('always 500 ends in Failure after exactly retry_count attempts', async () => {
    h.receiver.script('/down', { status: 500 });
    const target = await endpoint('/down');
    const event = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
    });
    const [delivery] = await h.settled(event.id);
    expect(delivery).toMatchObject({
      status: 'Failure',
      attempts: 3,
      description: 'Retry limit exceeded',
    });
    await h.caughtUp();
    expect(h.receiver.at('/down')).toHaveLength(3);
  });

  it('honours Retry-After on 429 (clamped to at most twice the interval)', async () => {
    h.receiver.script('/busy', { status: 429, headers: { 'Retry-After': '2' } }, { status: 200 });
    const target = await endpoint('/busy');
    const event = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
    });
    const [delivery] = await h.settled(event.id);
    expect(delivery).toMatchObject({ status: 'Success', attempts: 2 });
    const [first, second] = h.receiver.at('/busy');
    expect(defined(second).at - defined(first).at).toBeGreaterThanOrEqual(1900);
  });

  it('410 Gone fails the delivery and sets the endpoint inactive', async () => {
    h.receiver.script('/gone', { status: 410 });
    const target = await endpoint('/gone');
    const event = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
    });
    const [delivery] = await h.settled(event.id);
    expect(delivery).toMatchObject({ status: 'Failure', attempts: 1 });
    const reloaded = await h.dataSource.getRepository(EndpointEntity).findOneByOrFail({ id: target.id });
    expect(reloaded.status).toBe('inactive');
    const later = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
    });
    const [discarded] = await h.settled(later.id);
    expect(discarded?.status).toBe('Discarded');
    expect(h.receiver.at('/gone')).toHaveLength(1);
  });

  it('a receiver that does not answer within http_timeout counts as a failed attempt', async () => {
    h.receiver.script('/slow', 'hang');
    const target = await endpoint('/slow', { httpTimeout: 1 });
    const event = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
    });
    const [delivery] = await h.settled(event.id, 45_000);
    expect(delivery).toMatchObject({ status: 'Failure', attempts: 3 });
    const attempts = await h.attemptsOf(defined(delivery).id);
    expect(attempts[0]).toMatchObject({ httpStatus: null, success: false });
    expect(attempts[0]?.error).toMatch(/timeout/i);
  });

  it('connection refused counts as a failed attempt', async () => {
    const target = await insertEndpoint(h.dataSource, project.id, {
      url: 'http://127.0.0.1:9/refused',
      secrets: [secret('convoy-webhook-secret', '2024-01-01T00:00:00Z')],
    });
    await insertSubscription(h.dataSource, project.id, target.id);
    const event = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
    });
    const [delivery] = await h.settled(event.id);
    expect(delivery).toMatchObject({ status: 'Failure', attempts: 3 });
    const attempts = await h.attemptsOf(defined(delivery).id);
    expect(attempts[0]?.error).toMatch(/ECONNREFUSED/);
  });

  it('follows no redirect: a 302 is a failed attempt and its Location is never requested', async () => {
    h.receiver.script('/redirect', {
      status: 302,
      headers: { Location: h.receiver.url('/elsewhere') },
    });
    const target = await endpoint('/redirect');
    const event = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
    });
    const [delivery] = await h.settled(event.id);
    expect(delivery).toMatchObject({ status: 'Failure', attempts: 3 });
    expect(h.receiver.at('/elsewhere')).toHaveLength(0);
  });

  it('keeps at most 50 KB of a response body', async () => {
    h.receiver.script('/big', { status: 200, body: 'x'.repeat(200 * 1024) });
    const target = await endpoint('/big');
    const event = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
    });
    const [delivery] = await h.settled(event.id);
    expect(delivery?.status).toBe('Success');
    const [attempt] = await h.attemptsOf(defined(delivery).id);
    expect(attempt?.responseData).toHaveLength(50 * 1024);
  });

  it('a paused endpoint gets a Discarded delivery and no request', async () => {
    const target = await endpoint('/paused', {
      status: 'paused' as EndpointEntity['status'],
    });
    const event = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
    });
    const [delivery] = await h.settled(event.id);
    expect(delivery?.status).toBe('Discarded');
    expect(h.receiver.at('/paused')).toHaveLength(0);
  });

  it('a duplicated events doorbell creates no second set, a duplicated deliveries doorbell no second attempt', async () => {
    const target = await endpoint('/dup');
    const event = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
    });
    const [delivery] = await h.settled(event.id);
    await h.announce(event);
    await h.announce(event);
    await h.producer.ring(h.env['CARAVAN_KAFKA_DELIVERIES_TOPIC'] as string, [
      {
        key: target.id,
        value: {
          project_id: project.id,
          endpoint_id: target.id,
          delivery_id: defined(delivery).id,
          kind: 'delivery',
        },
      },
      {
        key: target.id,
        value: {
          project_id: project.id,
          endpoint_id: target.id,
          delivery_id: defined(delivery).id,
          kind: 'delivery',
        },
      },
    ]);
    await h.caughtUp();
    expect(await h.deliveriesOf(event.id)).toHaveLength(1);
    expect(h.receiver.at('/dup')).toHaveLength(1);
    expect(await h.attemptsOf(defined(delivery).id)).toHaveLength(1);
  });

  it('an event stored as a duplicate (is_duplicate_event) gets no deliveries', async () => {
    const target = await endpoint('/idem');
    const first = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
      idempotencyKey: 'same-key',
    });
    const second = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
      idempotencyKey: 'same-key',
    });
    expect(second.isDuplicateEvent).toBe(true);
    await h.settled(first.id);
    await h.caughtUp();
    expect(await h.deliveriesOf(second.id)).toHaveLength(0);
    expect(h.receiver.at('/idem')).toHaveLength(1);
  });

  it('exposes its metrics', async () => {
    const response = await fetch(`${defined(h.dispatchers[0]).url}/metrics`);
    const text = await response.text();
    for (const name of [
      'caravan_deliveries_total',
      'caravan_delivery_attempts_total',
      'caravan_delivery_attempt_duration_seconds',
      'caravan_delivery_latency_seconds',
      'caravan_scheduler_due_deliveries',
      'caravan_scheduler_oldest_due_age_seconds',
      'caravan_consumer_lag_messages',
      'caravan_circuit_breakers',
      'caravan_rate_limited_deliveries_total',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/caravan_deliveries_total\{[^}]*status="Success"[^}]*\} \d+/);
  });
});
