import { MetricsRegistry } from '@caravan/observability';
import { DispatcherMetrics } from './dispatcher.metrics';

/** The dispatcher's one per-project series: its scrape lists no tenant unless the operator asks. */
describe('DispatcherMetrics.deliveryFinished', () => {
  it.each([
    [false, 'caravan_deliveries_total{project="",status="Success",service="dispatcher"} 2'],
    [true, 'caravan_deliveries_total{project="01HPROJECTA",status="Success",service="dispatcher"} 1'],
  ])('with project labels %s', async (projectLabels, expected) => {
    const registry = new MetricsRegistry('dispatcher');
    const metrics = new DispatcherMetrics(registry, { projectLabels });
    metrics.deliveryFinished('01HPROJECTA', 'Success');
    metrics.deliveryFinished('01HPROJECTB', 'Success');
    const text = await registry.render();
    expect(text).toContain(expected);
    expect(text.includes('01HPROJECT')).toBe(projectLabels);
  });
});
