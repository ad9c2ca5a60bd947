import { createdRange, repeated } from '../common/list-filters';
import { BadRequestException, Inject, Injectable, NotFoundException, Optional } from '@nestjs/common';
import {
  canForceResend,
  canManuallyRetry,
  CLOCK,
  Clock,
  deliveryBell,
  DeliveryStatus,
  EndpointStatus,
  systemClock,
} from '@caravan/domain';
import { DoorbellRinger } from '@caravan/messaging';
import {
  DeliveryAttemptEntity,
  DeliveryAttemptsRepository,
  DeliveryRef,
  EndpointEntity,
  EndpointsRepository,
  EventDeliveriesRepository,
  EventDeliveryEntity,
  EventDeliveryFilter,
  EventEntity,
  EventsRepository,
  Page,
  PageQuery,
} from '@caravan/persistence';
import type { EventDeliveryFilterQueryDto } from './dto/event-delivery-query.dto';

const RETRYABLE = Object.values(DeliveryStatus).filter(canManuallyRetry);
const FORCE_RESENDABLE = Object.values(DeliveryStatus).filter(canForceResend);
const MANUAL_RETRY = 'Scheduled for delivery (manual retry)';
const FORCE_RESEND = 'Scheduled for delivery (force resend)';

export interface DeliveryWithContext {
  delivery: EventDeliveryEntity;
  endpoint?: EndpointEntity;
  event?: EventEntity;
}

@Injectable()
export class EventDeliveriesService {
  constructor(
    private readonly deliveries: EventDeliveriesRepository,
    private readonly attempts: DeliveryAttemptsRepository,
    private readonly endpoints: EndpointsRepository,
    private readonly events: EventsRepository,
    private readonly ringer: DoorbellRinger,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  /** A page of deliveries with their endpoints and events, loaded in two queries. */
  async list(
    projectId: string,
    query: EventDeliveryFilterQueryDto,
    page: PageQuery,
  ): Promise<Page<DeliveryWithContext>> {
    const found = await this.deliveries.list(projectId, toDeliveryFilter(query, new Date(this.clock.now())), page);
    return {
      content: await this.withContext(projectId, found.content),
      pagination: found.pagination,
    };
  }

  async get(projectId: string, id: string): Promise<DeliveryWithContext> {
    const [withContext] = await this.withContext(projectId, [await this.find(projectId, id)]);
    return withContext;
  }

  /** Convoy's "Retry": a Failure or Discarded delivery to an active endpoint is Scheduled now. */
  async resend(projectId: string, id: string): Promise<DeliveryWithContext> {
    const delivery = await this.find(projectId, id);
    if (!canManuallyRetry(delivery.status)) {
      throw new BadRequestException(
        `event delivery ${id} is ${delivery.status}: only Failure or Discarded deliveries can be retried` +
          (delivery.status === DeliveryStatus.Success ? ' (use forceresend to send a successful one again)' : ''),
      );
    }
    await this.assertEndpointActive(projectId, delivery.endpointId);
    const moved = await this.deliveries.requeue(projectId, [id], RETRYABLE, MANUAL_RETRY);
    if (moved.length === 0) {
      throw new BadRequestException(`event delivery ${id} changed while being retried; read it again`);
    }
    this.ring(moved);
    return this.get(projectId, id);
  }

  /** Convoy's "Force Retry": Success deliveries to active endpoints are Scheduled now. */
  async forceResend(projectId: string, ids: string[]): Promise<{ num_success: number; num_failure: number }> {
    const unique = [...new Set(ids)];
    const moved = await this.deliveries.requeue(projectId, unique, FORCE_RESENDABLE, FORCE_RESEND);
    this.ring(moved);
    return {
      num_success: moved.length,
      num_failure: unique.length - moved.length,
    };
  }

  /** Retries every matching Failure/Discarded delivery whose endpoint is active, in one statement. */
  async batchRetry(
    projectId: string,
    query: EventDeliveryFilterQueryDto,
  ): Promise<{ num_success: number; num_failure: number }> {
    const { matched, requeued } = await this.deliveries.requeueMatching(
      projectId,
      toDeliveryFilter(query, new Date(this.clock.now())),
      RETRYABLE,
      MANUAL_RETRY,
    );
    this.ring(requeued);
    return {
      num_success: requeued.length,
      num_failure: matched - requeued.length,
    };
  }

  async listAttempts(projectId: string, deliveryId: string): Promise<DeliveryAttemptEntity[]> {
    await this.find(projectId, deliveryId);
    return this.attempts.listForDelivery(projectId, deliveryId);
  }

  async getAttempt(projectId: string, deliveryId: string, attemptId: string): Promise<DeliveryAttemptEntity> {
    await this.find(projectId, deliveryId);
    const attempt = await this.attempts.findById(projectId, deliveryId, attemptId);
    if (!attempt) throw new NotFoundException(`delivery attempt ${attemptId} not found`);
    return attempt;
  }

  private async find(projectId: string, id: string): Promise<EventDeliveryEntity> {
    const delivery = await this.deliveries.findById(projectId, id);
    if (!delivery) throw new NotFoundException(`event delivery ${id} not found`);
    return delivery;
  }

  private async assertEndpointActive(projectId: string, endpointId: string): Promise<void> {
    const endpoint = await this.endpoints.findById(projectId, endpointId);
    if (!endpoint)
      throw new BadRequestException(`endpoint ${endpointId} has been deleted; the delivery cannot be retried`);
    if (endpoint.status !== EndpointStatus.Active) {
      throw new BadRequestException(
        `endpoint ${endpointId} is ${endpoint.status}; activate it before retrying its deliveries`,
      );
    }
  }

  private async withContext(projectId: string, deliveries: EventDeliveryEntity[]): Promise<DeliveryWithContext[]> {
    const endpointIds = [...new Set(deliveries.map((d) => d.endpointId))];
    const eventIds = [...new Set(deliveries.map((d) => d.eventId))];
    const [endpoints, events] = await Promise.all([
      this.endpoints.findByIds(projectId, endpointIds),
      this.events.findByRefs(eventIds.map((id) => ({ projectId, id }))),
    ]);
    const endpointById = new Map(endpoints.map((e) => [e.id, e] as const));
    const eventById = new Map(events.map((e) => [e.id, e] as const));
    return deliveries.map((delivery) => ({
      delivery,
      endpoint: endpointById.get(delivery.endpointId),
      event: eventById.get(delivery.eventId),
    }));
  }

  /** After commit: one doorbell per moved delivery, keyed by endpoint; a lost one is re-rung by the scheduler. */
  private ring(moved: DeliveryRef[]): void {
    void this.ringer.afterCommit(moved.map(deliveryBell));
  }
}

/** The repository's filter for a query; without a start date the range looks back from `now`. */
export function toDeliveryFilter(query: EventDeliveryFilterQueryDto, now: Date): EventDeliveryFilter {
  return {
    endpointIds: repeated(query.endpointId, query['endpointId[]']),
    statuses: repeated(query.status, query['status[]']) as EventDeliveryFilter['statuses'],
    eventId: query.eventId,
    subscriptionId: query.subscriptionId,
    idempotencyKey: query.idempotencyKey,
    eventType: query.eventType ?? query.event_type,
    ...createdRange(query, now),
  };
}
