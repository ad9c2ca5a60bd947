import { Inject, Injectable, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { ConsumerHealth } from './consumer-health.service';
import { MetricsRegistry } from './metrics.registry';
import { READINESS_CHECKS, READINESS_TIMEOUT_MS, ReadinessCheck } from './readiness-check';

export interface CheckOutcome {
  status: 'up' | 'down';
  error?: string;
  /** Named but not failing readiness: a tenant's consumer that cannot run. */
  warning?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckOutcome>;
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** How often dependencies are checked in the background, so the gauge is fresh without probes. */
export const READINESS_REFRESH_MS = 15_000;

@Injectable()
export class ReadinessService implements OnModuleInit, OnApplicationShutdown {
  private readonly up: Gauge<'check'>;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    @Inject(READINESS_TIMEOUT_MS) private readonly timeoutMs: number,
    @Optional() metrics?: MetricsRegistry,
    @Optional() private readonly consumers?: ConsumerHealth,
  ) {
    this.up = new Gauge({
      name: 'caravan_dependency_up',
      help: 'Whether a dependency the service needs answered its last check (1) or not (0), by check.',
      labelNames: ['check'],
      registers: metrics ? [metrics.registry] : [],
    });
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.report(), READINESS_REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Runs every check in parallel, each bounded, so one hung dependency cannot hang the probe. */
  async report(): Promise<ReadinessReport> {
    const checks = this.consumers?.size ? [...this.checks, this.consumers] : this.checks;
    const outcomes = await Promise.all(
      checks.map(async (check): Promise<[string, CheckOutcome]> => {
        try {
          await withTimeout(check.check(), this.timeoutMs);
          return [check.name, { status: 'up' }];
        } catch (error) {
          return [check.name, { status: 'down', error: (error as Error).message }];
        }
      }),
    );
    const warning = this.consumers?.warning();
    if (warning) {
      const consumers = outcomes.find(([name]) => name === this.consumers?.name);
      if (consumers) consumers[1] = { ...consumers[1], warning };
    }
    for (const [name, outcome] of outcomes) this.up.set({ check: name }, outcome.status === 'up' ? 1 : 0);
    return {
      ready: outcomes.every(([, outcome]) => outcome.status === 'up'),
      checks: Object.fromEntries(outcomes),
    };
  }
}
