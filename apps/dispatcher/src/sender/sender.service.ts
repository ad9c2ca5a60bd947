import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DispatcherSettings } from '@caravan/config';
import { EndpointStatus } from '@caravan/domain';
import {
  EndpointsRepository,
  EventDeliveriesRepository,
  EventDeliveryEntity,
  EventsRepository,
  ProjectsRepository,
} from '@caravan/persistence';
import { DISPATCHER_SETTINGS } from '../common/dispatcher.tokens';
import { DeliveryAttempter } from './delivery-attempter';
import { EndpointGate } from './endpoint-gate';
import { OutcomeWriter } from './outcome.writer';
import { PutBack, SettledDelivery, leaseOf } from './settled-delivery';

const SENDABLE = new Set<string>([EndpointStatus.Active, EndpointStatus.Pending]);

/**
 * The sender: claims a batch of deliveries with one conditional update (no claim, no send),
 * loads what they need in three queries, admits each through its endpoint's breaker and
 * rate limit, attempts the admitted ones concurrently (DeliveryAttempter) and writes the
 * batch's results (OutcomeWriter). Deliveries that were not admitted are put back
 * unattempted, to be rung again by the scheduler when due.
 */
@Injectable()
export class SenderService {
  private readonly logger = new Logger(SenderService.name);
  /** Claimed and not yet settled: released on a shutdown that outlives its bound. */
  private readonly inFlight = new Map<string, Date>();
  private readonly working = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private stopping = false;

  constructor(
    @Inject(DISPATCHER_SETTINGS) private readonly settings: DispatcherSettings,
    private readonly deliveries: EventDeliveriesRepository,
    private readonly events: EventsRepository,
    private readonly endpoints: EndpointsRepository,
    private readonly projects: ProjectsRepository,
    private readonly gate: EndpointGate,
    private readonly attempter: DeliveryAttempter,
    private readonly writer: OutcomeWriter,
  ) {}

  /**
   * Claims the due deliveries among `deliveryIds` (one statement per batchSize ids) and starts
   * sending them in the background; resolves once they are claimed, waiting first while
   * maxInFlight sends are already running. The rows, not the Kafka offsets, carry the work:
   * if this process dies, the leases expire and the scheduler hands the rows out again.
   */
  async send(deliveryIds: readonly string[]): Promise<void> {
    const ids = [...new Set(deliveryIds)];
    for (let start = 0; start < ids.length && !this.stopping; start += this.settings.batchSize) {
      await this.waitForRoom();
      if (this.stopping) return;
      const claimed = await this.deliveries.claimDue(
        ids.slice(start, start + this.settings.batchSize),
        this.settings.leaseSeconds,
      );
      if (claimed.length === 0) continue;
      for (const delivery of claimed) this.inFlight.set(delivery.id, leaseOf(delivery));
      const work: Promise<void> = this.sendClaimed(claimed)
        .catch((error: Error) =>
          // Rows stay Processing until their lease expires; the scheduler then hands them out again.
          this.logger.error(`sending ${claimed.length} deliveries failed: ${error.message}`),
        )
        .finally(() => {
          for (const delivery of claimed) this.inFlight.delete(delivery.id);
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
    const rows = [...this.inFlight].map(([id, leaseUntil]) => ({
      id,
      leaseUntil,
      nextSendTime: new Date(),
    }));
    // Hand the rows back first: an aborted send then finds its claim gone and writes nothing
    // (aborting first would let its "network error" outcome win the race and count an attempt).
    const released = await this.deliveries.putBack(rows);
    this.abort.abort();
    return released.length;
  }

  private async waitForRoom(): Promise<void> {
    while (this.inFlight.size >= this.settings.maxInFlight && this.working.size > 0) {
      await Promise.race(this.working);
    }
  }

  private async sendClaimed(claimed: EventDeliveryEntity[]): Promise<void> {
    const [events, endpoints, projects] = await Promise.all([
      this.events.findByRefs(claimed.map((d) => ({ projectId: d.projectId, id: d.eventId }))),
      this.endpoints.findByRefs(claimed.map((d) => ({ projectId: d.projectId, id: d.endpointId }))),
      this.projects.findByIds(claimed.map((d) => d.projectId)),
    ]);
    const eventById = new Map(events.map((e) => [e.id, e] as const));
    const endpointById = new Map(endpoints.map((e) => [e.id, e] as const));
    const projectById = new Map(projects.map((p) => [p.id, p] as const));

    const now = Date.now();
    const finished: SettledDelivery[] = [];
    const sends: Array<Promise<SettledDelivery>> = [];
    const putBack: PutBack[] = [];
    for (const delivery of claimed) {
      const event = eventById.get(delivery.eventId);
      const endpoint = endpointById.get(delivery.endpointId);
      const project = projectById.get(delivery.projectId);
      if (!event || !project) {
        finished.push(this.attempter.discarded(delivery, 'Event no longer exists'));
      } else if (!endpoint || !SENDABLE.has(endpoint.status)) {
        finished.push(this.attempter.discarded(delivery, 'Endpoint is not active'));
      } else {
        const admission = this.gate.admit(endpoint, project, now);
        if (admission.admitted)
          sends.push(this.attempter.attempt(delivery, { event, endpoint, project }, this.abort.signal));
        else
          putBack.push({
            id: delivery.id,
            leaseUntil: leaseOf(delivery),
            nextSendTime: new Date(now + admission.retryInMs),
          });
      }
    }
    finished.push(...(await Promise.all(sends)));
    await this.writer.write(finished, putBack);
  }
}
