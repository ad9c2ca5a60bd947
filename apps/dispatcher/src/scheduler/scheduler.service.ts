import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import type { DispatcherSettings } from '@caravan/config';
import { EventDeliveriesRepository, EventsRepository, MetaEventsRepository } from '@caravan/persistence';
import { DISPATCHER_SETTINGS } from '../common/dispatcher.tokens';
import { CLOCK, Clock, deliveryBell, eventBell, metaBell, systemClock } from '@caravan/domain';
import { DoorbellRinger } from '@caravan/messaging';
import { DispatcherMetrics } from '../metrics/dispatcher.metrics';

/** Batches one sweep may take per kind of work, so a large backlog drains quickly without starving the rest. */
const MAX_ROUNDS_PER_TICK = 20;

/**
 * Every interval: hands back Processing rows whose lease expired (their sender died), re-rings
 * due Retry rows and Scheduled rows whose doorbell was lost, re-rings events still Pending
 * (never routed) a second after their acceptance, and publishes the backlog gauges. A row
 * re-rung is not re-rung again before the doorbell grace passes. Safe with several replicas: rows are
 * taken with FOR UPDATE SKIP LOCKED and held while their doorbells are rung, and a doorbell
 * rung twice is harmless (the claim decides).
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SchedulerService.name);
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;

  constructor(
    @Inject(DISPATCHER_SETTINGS) private readonly settings: DispatcherSettings,
    private readonly deliveries: EventDeliveriesRepository,
    private readonly metaEvents: MetaEventsRepository,
    private readonly events: EventsRepository,
    private readonly ringer: DoorbellRinger,
    private readonly metrics: DispatcherMetrics,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  /** Stops the loop: a sweep under way finishes first, the wait for the next one ends at once. */
  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  /** One sweep; exposed so tests and operators' tooling can force one. */
  async tick(): Promise<void> {
    const { batchSize, doorbellGraceSeconds: grace } = this.settings;
    await this.rounds(async () => {
      const released = await this.deliveries.releaseExpiredLeases(batchSize);
      // Released in their own commit: a lost ring leaves them due, re-rung after the doorbell grace.
      await this.ringer.afterCommit(released.map(deliveryBell));
      return released.length;
    });
    await this.rounds(() =>
      this.deliveries.withDueDoorbells(batchSize, grace, async (due) => {
        await this.ringer.deliveries(due.map(deliveryBell));
        return due.length;
      }),
    );
    await this.rounds(async () => {
      const released = await this.metaEvents.releaseExpiredLeases(batchSize);
      await this.ringer.afterCommit(released.map(metaBell));
      return released.length;
    });
    await this.rounds(() =>
      this.metaEvents.withDueDoorbells(batchSize, grace, async (due) => {
        await this.ringer.deliveries(due.map(metaBell));
        return due.length;
      }),
    );

    await this.rounds(() =>
      this.events.withStalePending(this.settings.eventGraceMs, grace, batchSize, async (stale) => {
        await this.ringer.events(stale.map(eventBell));
        return stale.length;
      }),
    );

    const backlog = await this.deliveries.dueBacklog();
    this.metrics.dueBacklog.set(backlog.count);
    this.metrics.oldestDueAge.set(backlog.oldestAgeSeconds);
  }

  /** Repeats a batch-sized step while it comes back full, up to MAX_ROUNDS_PER_TICK. */
  private async rounds(step: () => Promise<number>): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS_PER_TICK; round++) {
      if ((await step()) < this.settings.batchSize) return;
    }
  }

  /** A sweep every interval, counted from the end of the previous one (sweeps never overlap). */
  private async run(): Promise<void> {
    const { signal } = this.stopping;
    for (;;) {
      await this.clock.sleep(this.settings.schedulerIntervalMs, signal);
      if (signal.aborted) return;
      await this.tick().catch((error: Error) => this.logger.warn({ err: error }, 'scheduler sweep failed'));
    }
  }
}
