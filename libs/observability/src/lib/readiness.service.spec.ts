import { MetricsRegistry } from './metrics.registry';
import { ConsumerHealth } from './consumer-health.service';
import { ReadinessService } from './readiness.service';
import type { ReadinessCheck } from './readiness-check';

const check = (name: string, behaviour: () => Promise<void>): ReadinessCheck => ({
  name,
  check: behaviour,
});

describe('ReadinessService', () => {
  it('is ready when every check passes', async () => {
    const service = new ReadinessService(
      [check('postgres', async () => undefined), check('kafka', async () => undefined)],
      1000,
    );
    await expect(service.report()).resolves.toEqual({
      ready: true,
      checks: { postgres: { status: 'up' }, kafka: { status: 'up' } },
    });
  });

  it('names the failing dependency and its reason', async () => {
    const service = new ReadinessService(
      [
        check('postgres', async () => undefined),
        check('kafka', async () => {
          throw new Error('Connection refused');
        }),
      ],
      1000,
    );
    const report = await service.report();
    expect(report.ready).toBe(false);
    expect(report.checks['kafka']).toEqual({ status: 'down', error: 'Connection refused' });
    expect(report.checks['postgres']).toEqual({ status: 'up' });
  });

  it('bounds a hung check by the timeout', async () => {
    const service = new ReadinessService([check('kafka', () => new Promise<void>(() => undefined))], 50);
    const report = await service.report();
    expect(report.checks['kafka']).toEqual({ status: 'down', error: 'no answer within 50 ms' });
  });

  it('exports each check as caravan_dependency_up', async () => {
    const metrics = new MetricsRegistry('test');
    const service = new ReadinessService(
      [
        check('postgres', async () => undefined),
        check('kafka', async () => {
          throw new Error('down');
        }),
      ],
      1000,
      metrics,
    );
    await service.report();
    const text = await metrics.render();
    expect(text).toContain('caravan_dependency_up{check="postgres",service="test"} 1');
    expect(text).toContain('caravan_dependency_up{check="kafka",service="test"} 0');
  });
});

describe('ReadinessService with consumers', () => {
  const up = check('postgres', async () => undefined);

  it('has no consumers check while no consumer registered', async () => {
    const report = await new ReadinessService([up], 1000, undefined, new ConsumerHealth()).report();
    expect(Object.keys(report.checks)).toEqual(['postgres']);
  });

  it('names a consumer that crashed until it runs again', async () => {
    const consumers = new ConsumerHealth();
    consumers.register('sender');
    consumers.register('router');
    const service = new ReadinessService([up], 1000, undefined, consumers);
    expect((await service.report()).checks['consumers']).toEqual({ status: 'up' });
    consumers.failed('sender', 'The group coordinator is not available');
    const down = await service.report();
    expect(down.ready).toBe(false);
    expect(down.checks['consumers']).toEqual({
      status: 'down',
      error: 'sender consumer not running: The group coordinator is not available',
    });
    consumers.running('sender');
    expect((await service.report()).ready).toBe(true);
  });

  it('exposes no restart counter in a service without consumers', async () => {
    const metrics = new MetricsRegistry('api');
    new ConsumerHealth(metrics);
    expect(await metrics.render()).not.toContain('caravan_consumer_restarts_total');
  });

  it('counts restarts per consumer', async () => {
    const metrics = new MetricsRegistry('dispatcher');
    const consumers = new ConsumerHealth(metrics);
    consumers.register('sender');
    consumers.restarted('sender');
    consumers.restarted('sender');
    expect(await metrics.render()).toMatch(
      /caravan_consumer_restarts_total\{consumer="sender",service="dispatcher"\} 2/,
    );
  });

  it("names a tenant's consumer that cannot run without failing readiness", async () => {
    const consumers = new ConsumerHealth();
    consumers.register('sender');
    consumers.register('sqs source s2 worker 0', { tenant: true });
    const service = new ReadinessService([up], 1000, undefined, consumers);
    consumers.failed('sqs source s2 worker 0', 'The security token included in the request is invalid');
    expect(await service.report()).toEqual({
      ready: true,
      checks: {
        postgres: { status: 'up' },
        consumers: {
          status: 'up',
          warning: 'sqs source s2 worker 0 consumer not running: The security token included in the request is invalid',
        },
      },
    });
    consumers.failed('sender', 'crashed');
    const down = await service.report();
    expect(down.ready).toBe(false);
    expect(down.checks['consumers']).toMatchObject({
      status: 'down',
      error: 'sender consumer not running: crashed',
      warning: expect.stringContaining('sqs source s2 worker 0'),
    });
  });

  it('forgets a consumer stopped on purpose: no longer named, its counter gone', async () => {
    const metrics = new MetricsRegistry('ingester');
    const consumers = new ConsumerHealth(metrics);
    const service = new ReadinessService([up], 1000, metrics, consumers);
    consumers.register('kafka source s1 worker 0', { tenant: true });
    consumers.register('sqs source s2 worker 0', { tenant: true });
    consumers.failed('kafka source s1 worker 0', 'topic missing');
    consumers.restarted('kafka source s1 worker 0');
    expect((await service.report()).checks['consumers']?.warning).toContain('kafka source s1 worker 0');
    consumers.unregister('kafka source s1 worker 0');
    expect(await service.report()).toEqual({
      ready: true,
      checks: { postgres: { status: 'up' }, consumers: { status: 'up' } },
    });
    expect(await metrics.render()).not.toContain('kafka source s1 worker 0');
    expect(await metrics.render()).toContain('consumer="sqs source s2 worker 0"');
  });
});
