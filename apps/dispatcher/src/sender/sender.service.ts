import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { deliveryLogIds } from '@caravan/observability';
import type { DispatcherSettings } from '@caravan/config';
import { backoffDelay, CLOCK, Clock, EndpointStatus, systemClock } from '@caravan/domain';
import { ClaimedDelivery, EventDeliveriesRepository, EventDeliveryEntity } from '@caravan/persistence';
import { DISPATCHER_SETTINGS } from '../common/dispatcher.tokens';
import { DeliveryAttempter } from './delivery-attempter.service';
import { EndpointGate } from './endpoint-gate.service';
import { claimSize } from './lease-keeper';
import { OutcomeWriter } from './outcome.writer';
import { DeliveryLeases } from './delivery-leases.service';
import { PutBack, SettledDelivery, leaseOf } from './settled-delivery';

const SENDABLE = new Set<string>([EndpointStatus.Active, EndpointStatus.Pending]);

/**
 * Outcome writes that failed (Postgres unreachable) are retried after 250 ms, 500 ms, then
 * every second: written within a second of Postgres coming back, well before the claim's lease
 * could lapse and the row be sent again.
 */
const OUTCOME_RETRY = { initialMs: 250, maxMs: 1_000 };

/**
 * The sender: claims deliveries with one conditional update (no claim, no send), only as many
 * as it has free send slots, with their events, endpoints and projects, admits each through its
 * endpoint's breaker and rate limit and attempts the admitted ones concurrently
 * (DeliveryAttempter). Each outcome is written as its attempt settles (OutcomeWriter batches
 * them over a few ms), never waiting for the rest of the claim. Deliveries that were not
 * admitted are put back unattempted, to be rung again by the scheduler when due. The claims'
 * leases are short and renewed while this process lives (DeliveryLeases).
 */
@Injectable()
export class SenderService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SenderService.name);
  private readonly working = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private roomWaiters: Array<() => void> = [];
  private stopping = false;

  constructor(
    @Inject(DISPATCHER_SETTINGS) private readonly settings: DispatcherSettings,
    private readonly deliveries: EventDeliveriesRepository,
    private readonly gate: EndpointGate,
    private readonly attempter: DeliveryAttempter,
    private readonly writer: OutcomeWriter,
    private readonly leases: DeliveryLeases,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  onModuleInit(): void {
    this.leases.start();
  }

  onModuleDestroy(): void {
    this.leases.stop();
  }

  /**
   * Claims the due deliveries among `deliveryIds`, at most as many per statement as there are
   * free send slots (waiting for one when none is free), and starts sending them in the
   * background; resolves once they are all claimed, or early when `signal` aborts (the rest
   * stays with Kafka). The rows, not the Kafka offsets, carry the work: if this process dies,
   * the leases expire within seconds and the scheduler hands the rows out again.
   */
  async send(deliveryIds: readonly string[], signal?: AbortSignal): Promise<void> {
    const ids = [...new Set(deliveryIds)];
    let start = 0;
    while (start < ids.length && !this.stopping && !signal?.aborted) {
      await this.waitForRoom(signal);
      if (this.stopping || signal?.aborted) return;
      const size = claimSize(ids.length - start, this.settings.batchSize, this.settings.maxInFlight, this.leases.size);
      const claimed = await this.deliveries.claimDueForSending(
        ids.slice(start, start + size),
        this.settings.leaseSeconds,
      );
      start += size;
      if (claimed.length === 0) continue;
      for (const { delivery } of claimed) this.leases.hold(delivery.id, leaseOf(delivery));
      const work: Promise<void> = this.sendClaimed(claimed)
        .catch((error: Error) =>
          // Rows stay Processing until their lease expires; the scheduler then hands them out again.
          this.logger.error({ deliveries: claimed.length, err: error }, 'sending claimed deliveries failed'),
        )
        .finally(() => {
          for (const { delivery } of claimed) this.settle(delivery.id);
          this.working.delete(work);
        });
      this.working.add(work);
    }
  }

  /** Stops claiming; in-flight sends go on. */
  stop(): void {
    this.stopping = true;
  }

  /** Resolves when every send in flight has settled. */
  async drain(): Promise<void> {
    while (this.working.size > 0) await Promise.all(this.working);
  }

  /** Aborts in-flight sends and hands their rows back, due now (shutdown past its bound). */
  async releaseInFlight(): Promise<number> {
    // Hand the rows back first: an aborted send then finds its claim gone and writes nothing
    // (aborting first would let its "network error" outcome win the race and count an attempt).
    const released = await this.leases.fenced(() =>
      this.deliveries.putBack(this.leases.held().map((row) => ({ ...row, nextSendTime: new Date(this.clock.now()) }))),
    );
    this.abort.abort();
    return released.length;
  }

  /**
   * Writes an outcome, retrying with back-off while Postgres is unreachable: the attempt was
   * made, and an outcome given up on would have the row sent again once its lease lapses. The
   * lease is still held (and renewed) meanwhile; a shutdown past its bound stops the retries.
   */
  private async recordOutcome(outcome: SettledDelivery): Promise<void> {
    for (let failures = 1; ; failures++) {
      try {
        return await this.writer.record(outcome);
      } catch (error) {
        if (this.abort.signal.aborted) throw error;
        const delay = backoffDelay(failures, OUTCOME_RETRY);
        this.logger.warn(
          { ...deliveryLogIds(outcome.delivery), err: error, retry_in_ms: delay },
          'delivery outcome not written yet; retrying',
        );
        await this.clock.sleep(delay);
      }
    }
  }

  /** A claimed row is done with (outcome written or not): its slot is free. */
  private settle(id: string): void {
    if (!this.leases.leaseOf(id)) return;
    this.leases.release(id);
    for (const wake of this.roomWaiters.splice(0)) wake();
  }

  private async waitForRoom(signal?: AbortSignal): Promise<void> {
    while (this.leases.size >= this.settings.maxInFlight && this.working.size > 0 && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        this.roomWaiters.push(resolve);
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }

  private async sendClaimed(claimed: ClaimedDelivery[]): Promise<void> {
    const now = this.clock.now();
    const outcomes: Array<Promise<void>> = [];
    const putBack: PutBack[] = [];
    const record = (delivery: EventDeliveryEntity, settled: SettledDelivery | Promise<SettledDelivery>) =>
      outcomes.push(
        Promise.resolve(settled)
          .then((outcome) => this.recordOutcome(outcome))
          .catch((error: Error) =>
            this.logger.error({ ...deliveryLogIds(delivery), err: error }, 'delivery outcome not written'),
          )
          .finally(() => this.settle(delivery.id)),
      );
    for (const { delivery, event, endpoint, project } of claimed) {
      if (!event || !project) {
        record(delivery, this.attempter.discarded(delivery, 'Event no longer exists'));
      } else if (!endpoint || !SENDABLE.has(endpoint.status)) {
        record(delivery, this.attempter.discarded(delivery, 'Endpoint is not active'));
      } else {
        const admission = this.gate.admit(endpoint, project, now);
        if (admission.admitted) {
          record(delivery, this.attempter.attempt(delivery, { event, endpoint, project }, this.abort.signal));
        } else {
          putBack.push({
            id: delivery.id,
            leaseUntil: leaseOf(delivery),
            nextSendTime: new Date(now + admission.retryInMs),
          });
        }
      }
    }
    await this.writer.putBack(putBack);
    for (const row of putBack) this.settle(row.id);
    await Promise.all(outcomes);
  }
}
