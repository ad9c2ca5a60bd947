import { loadConfig, type DispatcherSettings } from '@caravan/config';
import { MetricsRegistry } from '@caravan/observability';
import { DispatcherMetrics } from '../metrics/dispatcher.metrics';

// The entities built in memory are shared with the api's unit tests.
export { aDelivery, anEndpoint, anEvent, aProject, aSubscription } from '@caravan/testing';

/**
 * Building blocks of the dispatcher's unit tests: settings as the service loads them, a
 * fresh metrics registry per test (values read back with `counted`).
 */

export function dispatcherSettings(env: Record<string, string> = {}): DispatcherSettings {
  return loadConfig('dispatcher', {
    CARAVAN_DATABASE_URL: 'postgres://unit:unit@127.0.0.1:1/unit',
    CARAVAN_KAFKA_BROKERS: '127.0.0.1:1',
    ...env,
  }).dispatcher;
}

export function dispatcherMetrics(): DispatcherMetrics {
  // Project labels on, so the tests can read per-project series.
  return new DispatcherMetrics(new MetricsRegistry('dispatcher'), { projectLabels: true });
}

/** The value of one counter or gauge series (0 when absent). */
export async function counted(
  metric: { get(): Promise<{ values: Array<{ value: number; labels: object }> }> },
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await metric.get();
  const series = values.find((v) =>
    Object.entries(labels).every(([key, value]) => (v.labels as Record<string, unknown>)[key] === value),
  );
  return series?.value ?? 0;
}
