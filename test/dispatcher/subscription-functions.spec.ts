import { signSimple } from '@caravan/domain';
import { EndpointEntity, ProjectEntity } from '@caravan/persistence';
import { insertEndpoint, insertProject, insertSubscription } from '@caravan/testing';
import { DispatcherHarness } from './support/dispatcher-harness';
import { defined } from './support/webhook-receiver';

const SECRET = 'function-test-secret';

/**
 * A subscription's function transforms the payload before delivery, in the sandbox pool; the
 * signature covers the transformed bytes; hostile functions fail their delivery, not the process.
 */
describe('dispatcher: subscription functions', () => {
  jest.setTimeout(180_000);
  let h: DispatcherHarness;
  let project: ProjectEntity;

  async function subscribed(path: string, code: string | null): Promise<EndpointEntity> {
    const endpoint = await insertEndpoint(h.dataSource, project.id, {
      url: h.receiver.url(path),
      secrets: [{ uid: 's1', value: SECRET, created_at: '2024-01-01T00:00:00Z', expires_at: null }],
    });
    await insertSubscription(h.dataSource, project.id, endpoint.id, { function: code });
    return endpoint;
  }

  const send = (endpoint: EndpointEntity, body: object) =>
    h.publish(project.id, {
      routing: 'direct',
      endpointIds: [endpoint.id],
      eventType: 'order.paid',
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    h = await DispatcherHarness.start('functions', {
      // Generous for a loaded test machine; the hostile functions reach it anyway.
      CARAVAN_TRANSFORM_TIMEOUT_MS: '1000',
      CARAVAN_TRANSFORM_MEMORY_MB: '8',
    });
    project = await insertProject(h.dataSource);
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('delivers the transformed body, signed over the transformed bytes', async () => {
    const endpoint = await subscribed(
      '/fn/ok',
      'function transform(payload) { return { type: "order", cents: payload.amount * 100, items: payload.items.length }; }',
    );
    const event = await send(endpoint, { amount: 12, items: [1, 2, 3] });
    const [delivery] = await h.settled(event.id);
    expect(delivery?.status).toBe('Success');
    const [request] = h.receiver.at('/fn/ok');
    const expected = Buffer.from(JSON.stringify({ type: 'order', cents: 1200, items: 3 }), 'utf8');
    expect(defined(request).body.equals(expected)).toBe(true);
    expect(defined(request).headers['x-convoy-signature']).toBe(signSimple(expected, SECRET));
    // The stored event is untouched.
    expect(JSON.parse(event.raw.toString())).toEqual({ amount: 12, items: [1, 2, 3] });
  });

  it.each([
    [
      'an infinite loop',
      'function transform(p) { while (true) {} }',
      /^function failed: exceeded its time limit of 1000 ms$/,
    ],
    [
      'a memory bomb',
      'function transform(p) { var a = []; while (true) { a.push("x".repeat(4096) + a.length); } }',
      /^function failed: exceeded its (memory limit of 8388608 bytes|time limit of 1000 ms)$/,
    ],
    [
      'reaching for process',
      'function transform(p) { return process.env; }',
      /^function failed: ReferenceError: .*process.*\(line 1\)$/,
    ],
    [
      'reaching for require',
      'function transform(p) { return require("fs"); }',
      /^function failed: ReferenceError: .*require.*\(line 1\)$/,
    ],
    [
      'escaping through globalThis.constructor',
      'function transform(p) {\n  var F = globalThis.constructor.constructor;\n  return F("return process")().mainModule;\n}',
      /^function failed: ReferenceError: .*process/,
    ],
  ])('fails the delivery of %s with a clear error, and the dispatcher stays healthy', async (_title, code, reason) => {
    const path = `/fn/hostile/${Math.random().toString(36).slice(2)}`;
    const endpoint = await subscribed(path, code);
    const event = await send(endpoint, { amount: 1 });
    const [delivery] = await h.settled(event.id, 60_000);
    expect(delivery?.status).toBe('Failure');
    expect(delivery?.description).toMatch(reason);
    const attempts = await h.attemptsOf(defined(delivery).id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.error).toMatch(reason);
    expect(h.receiver.at(path)).toHaveLength(0);

    // Healthy: /healthz answers, and the next delivery goes out transformed.
    const dispatcher = defined(h.dispatchers[0]);
    expect((await fetch(`${dispatcher.url}/healthz`)).status).toBe(200);
    const fine = await subscribed(`${path}/after`, 'function transform(p) { return { after: true }; }');
    const next = await send(fine, { amount: 2 });
    expect((await h.settled(next.id))[0]?.status).toBe('Success');
    expect(defined(h.receiver.at(`${path}/after`)[0]).body.toString()).toBe('{"after":true}');
  });
});
