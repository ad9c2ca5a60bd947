import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import type { DispatcherSettings } from '@caravan/config';
import { CLOCK, Clock, retentionCutoff, systemClock } from '@caravan/domain';
import { MetricsRegistry } from '@caravan/observability';
import { ProjectsRepository, RetentionRepository } from '@caravan/persistence';
import { Counter } from 'prom-client';
import { DISPATCHER_SETTINGS } from '../common/dispatcher.tokens';

/** The first sweep runs soon after start, not a whole interval later. */
export const FIRST_SWEEP_DELAY_MS = 1_000;

type Table = 'events' | 'event_deliveries' | 'delivery_attempts' | 'meta_events';

/**
 * Honours each project's `retention_policy`: every CARAVAN_RETENTION_INTERVAL_SECONDS, one
 * dispatcher replica (the one that takes the sweep's advisory lock) deletes the project's
 * events older than the policy, with their deliveries and attempts, and its settled meta
 * events, in batches of CARAVAN_RETENTION_BATCH_SIZE until none is left. Each batch is one
 * short statement, so no long lock is held and the sender goes on delivering meanwhile.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RetentionService.name);
  private readonly deleted: Counter<'table'>;
  private readonly sweeps: Counter<'outcome'>;
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;

  constructor(
    @Inject(DISPATCHER_SETTINGS) private readonly settings: DispatcherSettings,
    private readonly projects: ProjectsRepository,
    private readonly retention: RetentionRepository,
    metrics: MetricsRegistry,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    const registers = [metrics.registry];
    this.deleted = new Counter({
      name: 'caravan_retention_deleted_rows_total',
      help: "Rows deleted by the retention job because they were older than their project's retention_policy, by table",
      labelNames: ['table'],
      registers,
    });
    this.sweeps = new Counter({
      name: 'caravan_retention_sweeps_total',
      help: 'Retention sweeps, by outcome (done, skipped: another replica held the lock, failed)',
      labelNames: ['outcome'],
      registers,
    });
  }

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  /** Stops the loop: a sweep under way stops at its next batch, the wait for the next one at once. */
  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  /** One sweep over every project with a policy; null when another replica is sweeping. */
  async sweep(): Promise<Record<Table, number> | null> {
    const totals = await this.retention.whileHoldingSweepLock(async () => {
      const sums: Record<Table, number> = { events: 0, event_deliveries: 0, delivery_attempts: 0, meta_events: 0 };
      const now = new Date(this.clock.now());
      for (const project of await this.projects.listAll()) {
        const cutoff = retentionCutoff(project.config, now);
        if (!cutoff) continue;
        const counted = await this.sweepProject(project.id, cutoff);
        for (const table of Object.keys(sums) as Table[]) sums[table] += counted[table];
        if (counted.events + counted.meta_events > 0) {
          this.logger.log(
            { project_id: project.id, cutoff: cutoff.toISOString(), ...counted },
            'retention deleted old rows',
          );
        }
      }
      return sums;
    });
    this.sweeps.inc({ outcome: totals ? 'done' : 'skipped' });
    return totals;
  }

  private async sweepProject(projectId: string, cutoff: Date): Promise<Record<Table, number>> {
    const { batchSize } = this.settings.retention;
    const counted: Record<Table, number> = { events: 0, event_deliveries: 0, delivery_attempts: 0, meta_events: 0 };
    for (;;) {
      if (this.stopping.signal.aborted) return counted;
      const batch = await this.retention.deleteEventsBefore(projectId, cutoff, batchSize);
      this.count(counted, {
        events: batch.events,
        event_deliveries: batch.deliveries,
        delivery_attempts: batch.attempts,
      });
      if (batch.events < batchSize) break;
    }
    for (;;) {
      if (this.stopping.signal.aborted) return counted;
      const metaEvents = await this.retention.deleteMetaEventsBefore(projectId, cutoff, batchSize);
      this.count(counted, { meta_events: metaEvents });
      if (metaEvents < batchSize) break;
    }
    return counted;
  }

  private count(into: Record<Table, number>, rows: Partial<Record<Table, number>>): void {
    for (const [table, n] of Object.entries(rows) as Array<[Table, number]>) {
      into[table] += n;
      if (n > 0) this.deleted.inc({ table }, n);
    }
  }

  /** The first sweep a second after start, then one every interval after the previous one ends. */
  private async run(): Promise<void> {
    const { signal } = this.stopping;
    for (let delayMs = FIRST_SWEEP_DELAY_MS; ; delayMs = this.settings.retention.intervalSeconds * 1000) {
      await this.clock.sleep(delayMs, signal);
      if (signal.aborted) return;
      await this.sweep().catch((error: Error) => {
        this.sweeps.inc({ outcome: 'failed' });
        this.logger.warn({ err: error }, 'retention sweep failed');
      });
    }
  }
}
