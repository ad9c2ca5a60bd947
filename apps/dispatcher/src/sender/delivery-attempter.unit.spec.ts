import { Logger } from '@nestjs/common';
import { DeliveryStatus } from '@caravan/domain';
import { TransformFailedError } from '@caravan/sandbox';
import { aSubscription, counted } from '../testing/unit-fixtures.helper';
import { SenderWorld } from '../testing/sender-world.helper';

const { Success, Retry, Failure } = DeliveryStatus;

describe('DeliveryAttempter (in memory, manual clock)', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('a 2xx is Success, with the latency since the event was accepted', async () => {
    const w = new SenderWorld();
    const seeded = w.seed({ delivery: { status: DeliveryStatus.Processing } });
    await w.clock.advance(1_500);
    const settled = await w.attempter.attempt(seeded.deliveries[0], seeded, new AbortController().signal);
    expect(settled.update).toMatchObject({ status: Success, attempts: 1, nextSendTime: null, latencyMs: 1_500 });
    expect(settled.attempt).toMatchObject({ httpStatus: 200, success: true, ipAddress: '203.0.113.7' });
    expect(await counted(w.metrics.attempts, { outcome: 'success', status_class: '2xx' })).toBe(1);
  });

  it('a failure below the retry limit is Retry, due after the linear interval', async () => {
    const w = new SenderWorld();
    const seeded = w.seed({ delivery: { status: DeliveryStatus.Processing, intervalSeconds: 30, retryLimit: 3 } });
    w.http.script(seeded.endpoint.url, { statusCode: 502 });
    const settled = await w.attempter.attempt(seeded.deliveries[0], seeded, new AbortController().signal);
    expect(settled.update).toMatchObject({
      status: Retry,
      attempts: 1,
      nextSendTime: new Date(w.clock.now() + 30_000),
    });
    expect(settled.attempt).toMatchObject({ httpStatus: 502, success: false });
  });

  it('honours a 429’s Retry-After within twice the interval', async () => {
    const w = new SenderWorld();
    const seeded = w.seed({ delivery: { status: DeliveryStatus.Processing, intervalSeconds: 10 } });
    w.http.script(
      seeded.endpoint.url,
      { statusCode: 429, headers: { 'retry-after': ['15'] } },
      { statusCode: 429, headers: { 'retry-after': ['3600'] } },
    );
    const first = await w.attempter.attempt(seeded.deliveries[0], seeded, new AbortController().signal);
    expect(first.update.nextSendTime).toEqual(new Date(w.clock.now() + 15_000));
    const second = await w.attempter.attempt(seeded.deliveries[0], seeded, new AbortController().signal);
    expect(second.update.nextSendTime).toEqual(new Date(w.clock.now() + 20_000));
  });

  it('the attempt that reaches the retry limit is Failure', async () => {
    const w = new SenderWorld();
    const seeded = w.seed({ delivery: { status: DeliveryStatus.Processing, attempts: 2, retryLimit: 3 } });
    w.http.script(seeded.endpoint.url, { statusCode: 500 });
    const settled = await w.attempter.attempt(seeded.deliveries[0], seeded, new AbortController().signal);
    expect(settled.update).toMatchObject({ status: Failure, attempts: 3, description: 'Retry limit exceeded' });
  });

  it('410 Gone fails the delivery and disables the endpoint', async () => {
    const w = new SenderWorld();
    const seeded = w.seed({ delivery: { status: DeliveryStatus.Processing, retryLimit: 10 } });
    w.http.script(seeded.endpoint.url, { statusCode: 410 });
    const settled = await w.attempter.attempt(seeded.deliveries[0], seeded, new AbortController().signal);
    expect(settled.update.status).toBe(Failure);
    expect(settled.disableEndpoint).toBe(true);
  });

  it('a destination refused by the SSRF guard fails at once, whatever the retry limit', async () => {
    const w = new SenderWorld();
    const seeded = w.seed({ delivery: { status: DeliveryStatus.Processing, retryLimit: 10 } });
    w.http.script(seeded.endpoint.url, {
      statusCode: null,
      refused: true,
      error: 'refused by the SSRF guard (CARAVAN_SSRF_ALLOW_CIDRS)',
    });
    const settled = await w.attempter.attempt(seeded.deliveries[0], seeded, new AbortController().signal);
    expect(settled.update).toMatchObject({
      status: Failure,
      attempts: 1,
      description: 'refused by the SSRF guard (CARAVAN_SSRF_ALLOW_CIDRS)',
    });
    expect(settled.attempt).toMatchObject({ httpStatus: null, success: false });
  });

  it('disables an endpoint whose breaker keeps tripping, only when the project says so', async () => {
    const env = {
      CARAVAN_BREAKER_MIN_REQUESTS: '1',
      CARAVAN_BREAKER_FAILURE_THRESHOLD: '100',
      CARAVAN_BREAKER_ERROR_TIMEOUT_SECONDS: '1',
      CARAVAN_BREAKER_DISABLE_AFTER_TRIPS: '2',
    };
    for (const disable of [true, false]) {
      const w = new SenderWorld(env);
      const seeded = w.seed({
        delivery: { status: DeliveryStatus.Processing, retryLimit: 10 },
        project: { disable_endpoint: disable },
      });
      w.http.script(seeded.endpoint.url, { statusCode: 500 }, { statusCode: 500 });
      const first = await w.attempter.attempt(seeded.deliveries[0], seeded, new AbortController().signal);
      expect(first).toMatchObject({ breakerChange: 'open', disableEndpoint: false });
      await w.clock.advance(1_000);
      expect(w.gate.admit(seeded.endpoint, seeded.project, w.clock.now())).toEqual({ admitted: true });
      const second = await w.attempter.attempt(seeded.deliveries[0], seeded, new AbortController().signal);
      expect(second).toMatchObject({ breakerChange: 'open', disableEndpoint: disable });
    }
  });

  it('a subscription function that fails is Failure without a retry, and sends nothing', async () => {
    const w = new SenderWorld(
      {},
      {
        run: async () => {
          throw new TransformFailedError('function', 'boom', 2);
        },
      },
    );
    const seeded = w.seed({ delivery: { status: DeliveryStatus.Processing, retryLimit: 10 } });
    const subscription = aSubscription(seeded.endpoint, {
      id: seeded.deliveries[0].subscriptionId,
      function: 'function transform(p) { throw new Error("boom") }',
    });
    w.store.add(w.store.subscriptions, subscription);
    const settled = await w.attempter.attempt(seeded.deliveries[0], seeded, new AbortController().signal);
    expect(settled.update).toMatchObject({ status: Failure, attempts: 1 });
    expect(settled.update.description).toContain('boom');
    expect(w.http.requests).toHaveLength(0);
  });
});
