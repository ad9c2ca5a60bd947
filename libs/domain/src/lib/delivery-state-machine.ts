import { RetryStrategyType } from './project-config';
import { applyRetryAfter, DEFAULT_MAX_RETRY_SECONDS, nextDelaySeconds } from './retry-policy';
import { DeliveryStatus, EndpointStatus } from './statuses';

/**
 * The delivery state machine of docs/architecture.md#the-delivery-state-machine as pure functions.
 *
 * | from               | event                                          | to         |
 * |--------------------|------------------------------------------------|------------|
 * | (new)              | endpoint active (or pending)                   | Scheduled  |
 * | (new)              | endpoint paused or inactive                    | Discarded  |
 * | Scheduled, Retry   | claimed by a sender                            | Processing |
 * | Processing         | 2xx                                            | Success    |
 * | Processing         | not 2xx / network error, attempts < limit      | Retry      |
 * | Processing         | not 2xx / network error, attempts ≥ limit      | Failure    |
 * | Processing         | 410 Gone (endpoint is disabled too)            | Failure    |
 * | Processing         | endpoint became inactive / deleted             | Discarded  |
 * | Processing         | lease expired, re-claimed by the scheduler     | Processing |
 * | Failure, Discarded | manual retry (resend, batch retry)             | Scheduled  |
 * | Success            | force resend                                   | Scheduled  |
 */

const { Scheduled, Processing, Success, Retry, Failure, Discarded } = DeliveryStatus;

/** Every legal transition; anything else is a bug (or a lost race) and must not be written. */
export const DELIVERY_TRANSITIONS: Readonly<Record<DeliveryStatus, readonly DeliveryStatus[]>> = Object.freeze({
  [Scheduled]: [Processing],
  [Retry]: [Processing],
  [Processing]: [Success, Retry, Failure, Discarded, Processing],
  [Success]: [Scheduled],
  [Failure]: [Scheduled],
  [Discarded]: [Scheduled],
});

/** Statuses a sender may claim (the `WHERE status IN (…)` of the claim). */
export const CLAIMABLE_STATUSES: readonly DeliveryStatus[] = Object.freeze([Scheduled, Retry]);

export const DELIVERY_DESCRIPTIONS = Object.freeze({
  scheduled: 'Scheduled for delivery',
  success: 'Delivered',
  retryLimitExceeded: 'Retry limit exceeded',
  endpointGone: 'Endpoint answered 410 Gone; endpoint disabled',
  endpointInactive: 'Endpoint is not active',
  endpointPaused: 'Endpoint is paused',
});

/** Thrown by assertTransition; `from` and `to` are kept for logs and tests. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly from: DeliveryStatus,
    readonly to: DeliveryStatus,
  ) {
    super(`Illegal delivery transition ${from} → ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

export function isLegalTransition(from: DeliveryStatus, to: DeliveryStatus): boolean {
  return DELIVERY_TRANSITIONS[from]?.includes(to) ?? false;
}

export function assertTransition(from: DeliveryStatus, to: DeliveryStatus): void {
  if (!isLegalTransition(from, to)) throw new IllegalTransitionError(from, to);
}

/** `PUT /eventdeliveries/{id}/resend` and batch retry: only Failure and Discarded. */
export function canManuallyRetry(status: DeliveryStatus): boolean {
  return status === Failure || status === Discarded;
}

/** `POST /eventdeliveries/forceresend`: only Success. */
export function canForceResend(status: DeliveryStatus): boolean {
  return status === Success;
}

/**
 * Status of a new delivery. `pending` endpoints are treated like active ones (Convoy only
 * discards for inactive and paused endpoints); the sender re-checks at claim time.
 */
export function initialStatus(endpointStatus: EndpointStatus): DeliveryStatus {
  return initialDelivery(endpointStatus).status;
}

export function initialDelivery(endpointStatus: EndpointStatus): {
  status: DeliveryStatus;
  description: string;
} {
  switch (endpointStatus) {
    case EndpointStatus.Active:
    case EndpointStatus.Pending:
      return {
        status: Scheduled,
        description: DELIVERY_DESCRIPTIONS.scheduled,
      };
    case EndpointStatus.Paused:
      return {
        status: Discarded,
        description: DELIVERY_DESCRIPTIONS.endpointPaused,
      };
    case EndpointStatus.Inactive:
      return {
        status: Discarded,
        description: DELIVERY_DESCRIPTIONS.endpointInactive,
      };
    default:
      // An unknown status is not one we may deliver to.
      return {
        status: Discarded,
        description: DELIVERY_DESCRIPTIONS.endpointInactive,
      };
  }
}

/** What happened to one attempt (or why none was made). */
export type DeliveryOutcome =
  | { kind: 'success'; httpStatus?: number }
  /** Not 2xx (httpStatus set) or a network error / timeout (httpStatus absent). */
  | {
      kind: 'failure';
      httpStatus?: number;
      retryAfter?: string | readonly string[] | null;
    }
  /** The endpoint answered 410 Gone. */
  | { kind: 'endpoint-gone' }
  /** The endpoint is inactive, paused or deleted: no attempt was made. */
  | { kind: 'endpoint-inactive' };

/** Classifies an HTTP answer: 2xx success, 410 endpoint-gone, anything else (3xx included: no redirects are followed) failure. */
export function outcomeFromHttpStatus(
  httpStatus: number,
  retryAfter?: string | readonly string[] | null,
): DeliveryOutcome {
  if (httpStatus >= 200 && httpStatus <= 299) return { kind: 'success', httpStatus };
  if (httpStatus === 410) return { kind: 'endpoint-gone' };
  return { kind: 'failure', httpStatus, retryAfter: retryAfter ?? null };
}

export interface RetrySchedule {
  type: RetryStrategyType;
  duration: number;
  /** Ceiling for exponential back-off; DEFAULT_MAX_RETRY_SECONDS when absent. */
  maxRetrySeconds?: number;
}

export interface DeliveryTransitionInput {
  /** The delivery's current status; outcomes apply to Processing only. */
  status: DeliveryStatus;
  /** Attempts made so far, INCLUDING the one whose outcome this is (the first attempt makes it 1). */
  attempts: number;
  /** `retry_count`: attempts in all, the first included. */
  retryLimit: number;
  outcome: DeliveryOutcome;
  strategy: RetrySchedule;
  now: Date;
  random: () => number;
}

export interface DeliveryTransition {
  status: DeliveryStatus;
  description: string;
  /** True after a 410: the caller marks the endpoint inactive. */
  disableEndpoint: boolean;
  /** When to send next (Retry only), else null. */
  nextSendTime: Date | null;
  /** The wait behind nextSendTime in seconds (Retry only), else null. */
  delaySeconds: number | null;
}

/**
 * The next state after an outcome. Throws IllegalTransitionError when the delivery is not
 * Processing (an outcome for an unclaimed row is a bug), RangeError on nonsensical counts.
 */
export function nextDeliveryState(input: DeliveryTransitionInput): DeliveryTransition {
  const { status, attempts, retryLimit, outcome } = input;
  if (!Number.isInteger(attempts) || attempts < 0)
    throw new RangeError(`attempts must be an integer ≥ 0, got ${attempts}`);
  if (!Number.isInteger(retryLimit) || retryLimit < 1) {
    throw new RangeError(`retryLimit must be an integer ≥ 1, got ${retryLimit}`);
  }
  const done = (to: DeliveryStatus, description: string, disableEndpoint = false): DeliveryTransition => {
    assertTransition(status, to);
    return {
      status: to,
      description,
      disableEndpoint,
      nextSendTime: null,
      delaySeconds: null,
    };
  };

  switch (outcome.kind) {
    case 'success':
      return done(Success, DELIVERY_DESCRIPTIONS.success);
    case 'endpoint-gone':
      return done(Failure, DELIVERY_DESCRIPTIONS.endpointGone, true);
    case 'endpoint-inactive':
      return done(Discarded, DELIVERY_DESCRIPTIONS.endpointInactive);
    case 'failure': {
      if (attempts >= retryLimit) return done(Failure, DELIVERY_DESCRIPTIONS.retryLimitExceeded);
      if (attempts < 1) throw new RangeError('a failed attempt makes attempts ≥ 1');
      assertTransition(status, Retry);
      const scheduled = nextDelaySeconds({
        strategy: input.strategy.type,
        duration: input.strategy.duration,
        attempt: attempts,
        maxRetrySeconds: input.strategy.maxRetrySeconds ?? DEFAULT_MAX_RETRY_SECONDS,
        random: input.random,
      });
      const delaySeconds = applyRetryAfter(scheduled, outcome.retryAfter, input.now, outcome.httpStatus);
      const cause = outcome.httpStatus === undefined ? 'network error' : `HTTP ${outcome.httpStatus}`;
      return {
        status: Retry,
        description: `Attempt ${attempts} of ${retryLimit} failed (${cause})`,
        disableEndpoint: false,
        nextSendTime: new Date(input.now.getTime() + Math.round(delaySeconds * 1000)),
        delaySeconds,
      };
    }
    default: {
      const unknown: never = outcome;
      throw new RangeError(`unknown outcome ${JSON.stringify(unknown)}`);
    }
  }
}
