import { Inject, Injectable } from '@nestjs/common';
import type { DispatcherSettings } from '@caravan/config';
import { DeliveryStatus, HttpAttemptResult, assertTransition, newId, stateAfterHttpAttempt } from '@caravan/domain';
import type { EndpointEntity, EventDeliveryEntity, NewDeliveryAttempt } from '@caravan/persistence';
import { DISPATCHER_SETTINGS, USER_AGENT } from '../common/dispatcher.tokens';
import { DispatcherMetrics, statusClass } from '../metrics/dispatcher.metrics';
import { DeliveryPayload } from './delivery-payload.service';
import { DeliveryRequestBuilder } from './delivery-request.builder';
import { EndpointGate } from './endpoint-gate.service';
import { DeliveryContext, SettledDelivery, deliveryUpdate } from './settled-delivery';
import { EndpointRequestSender } from './endpoint-request.sender';

const { Processing, Success, Failure, Discarded } = DeliveryStatus;

/**
 * One delivery attempt: signs the exact bytes it sends (the event data, or what the subscription's
 * function made of it), POSTs them, records the attempt row and
 * its metrics, feeds the endpoint's breaker, and computes the next state with the domain's
 * state machine (Retry with back-off and Retry-After, Failure at the retry limit, 410 →
 * disable the endpoint, an SSRF refusal → Failure at once).
 */
@Injectable()
export class DeliveryAttempter {
  constructor(
    @Inject(DISPATCHER_SETTINGS) private readonly settings: DispatcherSettings,
    private readonly gate: EndpointGate,
    private readonly requests: EndpointRequestSender,
    private readonly metrics: DispatcherMetrics,
    private readonly payload: DeliveryPayload,
  ) {}

  /** One signed POST (EndpointRequestSender) and the state it leads to. */
  async attempt(
    delivery: EventDeliveryEntity,
    context: DeliveryContext,
    signal: AbortSignal,
  ): Promise<SettledDelivery> {
    const { event, endpoint, project } = context;
    const attempts = delivery.attempts + 1;
    const payload = await this.payload.bodyFor(delivery, event);
    if (!payload.ok) {
      // The subscription's function failed: the same data would fail the same way, so no retry.
      assertTransition(Processing, Failure);
      const row = this.attemptRow(delivery, endpoint, {}, null, payload.reason, 0);
      return {
        ...this.base(delivery, context, row),
        update: deliveryUpdate(delivery, Failure, payload.reason, attempts, null, null),
      };
    }
    let sent;
    try {
      sent = await this.requests.send(
        {
          deliveryId: delivery.id,
          // Signed over the bytes sent: the function's output when the subscription has one.
          event: { ...event, raw: payload.body },
          endpoint,
          signature: project.config.signature,
          userAgent: USER_AGENT,
          now: new Date(),
        },
        {
          endpointId: endpoint.id,
          url: endpoint.url,
          timeoutMs: endpoint.httpTimeout * 1000,
          mtlsClientCert: endpoint.mtlsClientCert,
          signal,
        },
      );
    } catch (error) {
      // Nothing can be signed (every secret expired): a failed attempt, retried like any other.
      const message = (error as Error).message;
      return this.finish(
        delivery,
        context,
        attempts,
        { statusCode: null },
        this.attemptRow(delivery, endpoint, {}, null, message, 0),
      );
    }
    const { request, response } = sent;
    const cls = statusClass(response.statusCode);
    const ok = response.statusCode !== null && response.statusCode >= 200 && response.statusCode < 300;
    this.metrics.attempts.inc({
      outcome: ok ? 'success' : response.statusCode === null ? 'error' : 'failure',
      status_class: cls,
    });
    this.metrics.attemptDuration.observe({ status_class: cls }, response.durationMs / 1000);
    const row = this.attemptRow(
      delivery,
      endpoint,
      request ? DeliveryRequestBuilder.forRecord(request.headers, endpoint.authentication) : {},
      response.statusCode,
      response.error,
      response.durationMs,
      response,
    );

    const result: HttpAttemptResult = {
      statusCode: response.statusCode,
      retryAfter: response.headers['retry-after'],
      refused: response.refused,
      error: response.error,
    };
    // A refused destination says nothing about the endpoint's health: the breaker is not fed.
    if (response.refused) return this.finish(delivery, context, attempts, result, row);
    const breaker = this.gate.record(endpoint.id, ok, Date.now());
    const finished = this.finish(delivery, context, attempts, result, row);
    if (breaker.tripped) finished.breakerChange = 'open';
    else if (breaker.recovered) finished.breakerChange = 'closed';
    if (
      breaker.tripped &&
      breaker.consecutiveTrips >= this.settings.breaker.disableAfterTrips &&
      project.config.disable_endpoint
    ) {
      finished.disableEndpoint = true;
    }
    return finished;
  }

  private finish(
    delivery: EventDeliveryEntity,
    context: DeliveryContext,
    attempts: number,
    result: HttpAttemptResult,
    attempt: NewDeliveryAttempt,
  ): SettledDelivery {
    const transition = stateAfterHttpAttempt({
      result,
      attempts,
      retryLimit: delivery.retryLimit,
      strategy: { type: delivery.strategy, duration: delivery.intervalSeconds },
      goneDisablesTarget: true,
      now: new Date(),
      random: Math.random,
    });
    const latencyMs =
      transition.status === Success ? Math.max(0, Date.now() - context.event.createdAt.getTime()) : null;
    return {
      ...this.base(delivery, context, attempt),
      update: deliveryUpdate(
        delivery,
        transition.status,
        transition.description,
        attempts,
        transition.nextSendTime,
        latencyMs,
      ),
      disableEndpoint: transition.disableEndpoint,
    };
  }

  private base(
    delivery: EventDeliveryEntity,
    context: DeliveryContext,
    attempt: NewDeliveryAttempt,
  ): Omit<SettledDelivery, 'update'> {
    return { delivery, attempt, ...context, disableEndpoint: false };
  }

  /** A claimed delivery that must not be sent (its event or endpoint is gone or not active). */
  discarded(delivery: EventDeliveryEntity, description: string): SettledDelivery {
    assertTransition(Processing, Discarded);
    return {
      delivery,
      attempt: null,
      disableEndpoint: false,
      update: deliveryUpdate(delivery, Discarded, description, delivery.attempts, null, null),
    };
  }

  private attemptRow(
    delivery: EventDeliveryEntity,
    endpoint: EndpointEntity,
    requestHeaders: Record<string, string[]>,
    httpStatus: number | null,
    error: string | null,
    durationMs: number,
    response?: { headers: Record<string, string[]>; body: string; ip: string },
  ): NewDeliveryAttempt {
    return {
      id: newId(),
      projectId: delivery.projectId,
      eventDeliveryId: delivery.id,
      endpointId: endpoint.id,
      url: endpoint.url,
      method: 'POST',
      ipAddress: response?.ip ?? '',
      requestHttpHeader: requestHeaders,
      responseHttpHeader: response?.headers ?? {},
      httpStatus,
      responseData: response?.body ?? '',
      error,
      success: httpStatus !== null && httpStatus >= 200 && httpStatus < 300,
      latencyMs: durationMs,
    };
  }
}
