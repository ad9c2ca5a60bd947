import {
  assertTransition,
  DeliveryOutcome,
  DeliveryTransition,
  nextDeliveryState,
  outcomeFromHttpStatus,
  RetrySchedule,
} from './delivery-state-machine';
import { DeliveryStatus, MetaEventStatus } from './statuses';

const { Processing, Success, Retry, Failure } = DeliveryStatus;

/** What one POST to a webhook URL came back with. */
export interface HttpAttemptResult {
  /** The answer's status, or null when none came (network error, timeout, refused). */
  statusCode: number | null;
  /** The answer's `Retry-After` header, honoured on 429/503. */
  retryAfter?: string | readonly string[] | null;
  /** The SSRF guard refused the destination: retrying cannot make it allowed. */
  refused?: boolean;
  /** Why no answer came (or why the destination was refused). */
  error?: string | null;
}

export interface HttpAttemptInput {
  result: HttpAttemptResult;
  /** Attempts made so far, this one included. */
  attempts: number;
  retryLimit: number;
  strategy: RetrySchedule;
  /**
   * Whether a 410 Gone ends the target: an endpoint is then failed and disabled; a project's
   * meta-event URL has nothing to disable, so there 410 is a failure like any other.
   */
  goneDisablesTarget: boolean;
  now: Date;
  random: () => number;
}

/**
 * The next state of a Processing row (an event delivery or a meta event) after one HTTP
 * attempt: the one rule both senders follow (docs/architecture.md#the-delivery-state-machine).
 * A refused destination fails at once with its reason; no answer is a failure; an answer is
 * classified by outcomeFromHttpStatus; then nextDeliveryState decides Success, Retry (with
 * back-off and Retry-After) or Failure (retry limit, 410).
 */
export function stateAfterHttpAttempt(input: HttpAttemptInput): DeliveryTransition {
  const { result } = input;
  if (result.refused) {
    assertTransition(Processing, Failure);
    return {
      status: Failure,
      description: result.error ?? 'refused',
      disableEndpoint: false,
      nextSendTime: null,
      delaySeconds: null,
    };
  }
  let outcome: DeliveryOutcome =
    result.statusCode === null ? { kind: 'failure' } : outcomeFromHttpStatus(result.statusCode, result.retryAfter);
  if (outcome.kind === 'endpoint-gone' && !input.goneDisablesTarget) outcome = { kind: 'failure', httpStatus: 410 };
  return nextDeliveryState({
    status: Processing,
    attempts: input.attempts,
    retryLimit: input.retryLimit,
    outcome,
    strategy: input.strategy,
    now: input.now,
    random: input.random,
  });
}

/** A meta event's status for a delivery status reached after an attempt (meta events are never Discarded). */
export function metaEventStatusAfter(status: DeliveryStatus): MetaEventStatus {
  if (status === Success) return MetaEventStatus.Success;
  if (status === Retry) return MetaEventStatus.Retry;
  return MetaEventStatus.Failure;
}
