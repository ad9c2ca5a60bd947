import { Injectable, Optional } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from './metrics.registry';
import type { ReadinessCheck } from './readiness-check';

/**
 * The state of a service's long-running consumers, for /readyz (check `consumers`, present
 * once a consumer has registered) and the restart counter. A consumer is down from a crash
 * or a failed start until it has joined its group again.
 */
@Injectable()
export class ConsumerHealth implements ReadinessCheck {
  readonly name = 'consumers';
  private readonly failures = new Map<string, string | null>();
  private counter?: Counter<'consumer'>;

  constructor(@Optional() private readonly metrics?: MetricsRegistry) {}

  /** Registered with the first consumer, so services without consumers do not expose it. */
  private get restarts(): Counter<'consumer'> {
    this.counter ??= new Counter({
      name: 'caravan_consumer_restarts_total',
      help: 'Consumers restarted after a crash or a failed start, by consumer.',
      labelNames: ['consumer'],
      registers: this.metrics ? [this.metrics.registry] : [],
    });
    return this.counter;
  }

  /** How many consumers registered. */
  get size(): number {
    return this.failures.size;
  }

  register(consumer: string): void {
    if (!this.failures.has(consumer)) this.failures.set(consumer, null);
    this.restarts.inc({ consumer }, 0);
  }

  running(consumer: string): void {
    this.failures.set(consumer, null);
  }

  failed(consumer: string, reason: string): void {
    this.failures.set(consumer, reason);
  }

  restarted(consumer: string): void {
    this.restarts.inc({ consumer });
  }

  async check(): Promise<void> {
    const down = [...this.failures].filter(([, reason]) => reason !== null);
    if (down.length > 0) {
      throw new Error(down.map(([consumer, reason]) => `${consumer} consumer not running: ${reason}`).join('; '));
    }
  }
}
