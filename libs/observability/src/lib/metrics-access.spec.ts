import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { Counter } from 'prom-client';
import { ObservabilityModule } from './observability.module';
import { METRICS_SETTINGS, MetricsRegistry, MetricsSettings } from './metrics.registry';

/** /metrics over HTTP, as every service mounts it: open by default, a bearer token when one is set. */
describe('/metrics access (CARAVAN_METRICS_TOKEN, CARAVAN_METRICS_PROJECT_LABELS)', () => {
  jest.setTimeout(60_000);
  const apps: INestApplication[] = [];

  async function serve(metrics?: MetricsSettings): Promise<{ url: string; app: INestApplication }> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ObservabilityModule.forRoot({
          service: 'test',
          readinessTimeoutMs: 100,
          checks: [],
          metrics,
          log: { level: 'error', format: 'json' },
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    apps.push(app);
    return { url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`, app };
  }

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  it('is open when no token is set, and project labels are off by default', async () => {
    const { url, app } = await serve();
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
    expect(app.get<MetricsSettings>(METRICS_SETTINGS)).toEqual({ projectLabels: false });
  });

  it('answers only the bearer of the token when one is set (401 otherwise), /healthz stays open', async () => {
    const token = 'metrics-token-0123456789';
    const { url } = await serve({ token, projectLabels: false });
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', token, `Basic ${token}`]) {
      const response = await fetch(`${url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect([authorization, response.status]).toEqual([authorization, 401]);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await response.text()).not.toContain('process_cpu');
    }
    const allowed = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('process_cpu_seconds_total');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('names a project in a label only when project labels are on', async () => {
    for (const projectLabels of [false, true]) {
      const registry = new MetricsRegistry('test');
      const counter = new Counter({
        name: 'caravan_test_total',
        help: 'test',
        labelNames: ['project'],
        registers: [registry.registry],
      });
      counter.inc({ project: MetricsRegistry.projectLabel({ projectLabels }, '01HPROJECTSECRETID') });
      expect([projectLabels, (await registry.render()).includes('01HPROJECTSECRETID')]).toEqual([
        projectLabels,
        projectLabels,
      ]);
    }
  });
});
