import { DeliveryStatus } from '@caravan/domain';
import type {
  DeliveryOutcomeUpdate,
  EndpointEntity,
  EventDeliveryEntity,
  EventEntity,
  NewDeliveryAttempt,
  ProjectEntity,
} from '@caravan/persistence';

/** What a claimed delivery needs to be sent. */
export interface DeliveryContext {
  event: EventEntity;
  endpoint: EndpointEntity;
  project: ProjectEntity;
}

/** What happened to one claimed delivery, ready to be written. */
export interface SettledDelivery extends Partial<DeliveryContext> {
  delivery: EventDeliveryEntity;
  update: DeliveryOutcomeUpdate;
  attempt: NewDeliveryAttempt | null;
  /** 410 Gone, or a breaker that keeps tripping under `disable_endpoint`. */
  disableEndpoint: boolean;
  /** Set when this attempt opened or closed the endpoint's breaker (shown as `cb_state`). */
  breakerChange?: 'open' | 'closed';
}

/** A claimed row to hand back unattempted, due at `nextSendTime`. */
export interface PutBack {
  id: string;
  leaseUntil: Date;
  nextSendTime: Date;
}

/** The claim's lease: the fencing token every write of the claim carries. */
export function leaseOf(delivery: EventDeliveryEntity): Date {
  return delivery.leaseUntil ?? new Date(0);
}

export function deliveryUpdate(
  delivery: EventDeliveryEntity,
  status: DeliveryStatus,
  description: string,
  attempts: number,
  nextSendTime: Date | null,
  latencyMs: number | null,
): DeliveryOutcomeUpdate {
  return {
    id: delivery.id,
    leaseUntil: leaseOf(delivery),
    status,
    description,
    attempts,
    nextSendTime,
    latencyMs,
  };
}
