import { Registry, collectDefaultMetrics } from 'prom-client';

/** CARAVAN_METRICS_TOKEN and CARAVAN_METRICS_PROJECT_LABELS, as every service reads them. */
export interface MetricsSettings {
  /** When set, /metrics needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Whether per-project series carry the project id (else the `project` label is empty). */
  projectLabels: boolean;
}

export const METRICS_SETTINGS = Symbol('METRICS_SETTINGS');

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

  /** The `project` label value for a project: its id only when project labels are on. */
  static projectLabel(settings: MetricsSettings, projectId: string): string {
    return settings.projectLabels ? projectId : '';
  }

  contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
