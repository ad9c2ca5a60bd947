import type { ConsumerHealth } from '@caravan/observability';

/**
 * One source worker's line in /readyz and in `caravan_consumer_restarts_total` (the
 * dispatcher's consumers report the same way): down from a crash or a failed start, with the
 * reason, until it runs again; every restart after a failure is counted. A tenant's worker:
 * named in /readyz (`checks.consumers.warning`) without making it fail. Named
 * `<type> source <id> worker <n>` so an operator knows which source is down.
 */
export class ConsumerStatus {
  readonly name: string;

  constructor(
    private readonly health: ConsumerHealth,
    type: string,
    sourceId: string,
    worker: number,
  ) {
    this.name = `${type} source ${sourceId} worker ${worker}`;
    health.register(this.name, { tenant: true });
  }

  up(): void {
    this.health.running(this.name);
  }

  down(reason: string): void {
    this.health.failed(this.name, reason);
  }

  /** A restart (or reconnection) after a failure. */
  restarting(): void {
    this.health.restarted(this.name);
  }

  /** Stopped on purpose: no longer reported. */
  close(): void {
    this.health.unregister(this.name);
  }
}
