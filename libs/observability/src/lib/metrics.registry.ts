import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One Prometheus registry per service. A dedicated registry (not prom-client's global one)
 * keeps tests that boot several services in one process from colliding on metric names.
 */
export class MetricsRegistry {
  readonly registry = new Registry();

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
