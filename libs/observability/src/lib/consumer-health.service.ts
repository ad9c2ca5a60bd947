import { Injectable, Optional } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from './metrics.registry';
import type { ReadinessCheck } from './readiness-check';

/**
 * The state of a service's long-running consumers, for /readyz (check `consumers`, present
 * once a consumer has registered) and the restart counter. A consumer is down from a crash
 * or a failed start until it has joined its group again. A service's own consumers (the
 * dispatcher's) make /readyz fail while down; a tenant's consumers (the ingester's source
 * workers) are only named in it: one tenant's unreachable broker or wrong credentials must not
 * take the service out of rotation or stall a rollout for everyone.
 */
@Injectable()
export class ConsumerHealth implements ReadinessCheck {
  readonly name = 'consumers';
  private readonly failures = new Map<string, string | null>();
  private readonly tenantOwned = new Set<string>();
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

  /** `tenant`: a consumer of a tenant's broker, named in /readyz while down but never failing it. */
  register(consumer: string, options: { tenant?: boolean } = {}): void {
    if (!this.failures.has(consumer)) this.failures.set(consumer, null);
    if (options.tenant) this.tenantOwned.add(consumer);
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

  /** A consumer stopped on purpose (its source deleted, changed or disabled): no longer reported. */
  unregister(consumer: string): void {
    this.failures.delete(consumer);
    this.tenantOwned.delete(consumer);
    this.restarts.remove({ consumer });
  }

  async check(): Promise<void> {
    const down = this.down(false);
    if (down) throw new Error(down);
  }

  /** The tenant consumers that are down, named with their reasons (null when none). */
  warning(): string | null {
    return this.down(true);
  }

  private down(tenant: boolean): string | null {
    const down = [...this.failures].filter(
      ([consumer, reason]) => reason !== null && this.tenantOwned.has(consumer) === tenant,
    );
    return down.length > 0
      ? down.map(([consumer, reason]) => `${consumer} consumer not running: ${reason}`).join('; ')
      : null;
  }
}
