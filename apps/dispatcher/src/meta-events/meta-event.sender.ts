import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  CLOCK,
  Clock,
  MetaEventStatus,
  metaEventStatusAfter,
  signSimple,
  stateAfterHttpAttempt,
  systemClock,
} from '@caravan/domain';
import {
  MetaEventEntity,
  MetaEventOutcomeUpdate,
  MetaEventsRepository,
  ProjectEntity,
  ProjectsRepository,
} from '@caravan/persistence';
import { USER_AGENT } from '../common/dispatcher.tokens';
import { DispatcherMetrics } from '../metrics/dispatcher.metrics';
import { WebhookClient } from '../sender/webhook.client';

/** Meta-event URLs get this long per attempt. */
const META_EVENT_TIMEOUT_MS = 10_000;
/** A meta-event claim outlasts its attempts (sent in parallel, written together), not renewed. */
const META_EVENT_LEASE_SECONDS = META_EVENT_TIMEOUT_MS / 1000 + 5;

/**
 * Delivers meta events (rows the dispatcher or the api inserted) to the project's meta-event
 * URL: body = the exact stored payload bytes, `X-Convoy-Signature` = hex HMAC-SHA256 with the
 * meta-event secret; retried with the project's strategy up to the row's retry_limit. Claims
 * and writes are batched and fenced exactly like event deliveries.
 */
@Injectable()
export class MetaEventSender {
  constructor(
    private readonly metaEvents: MetaEventsRepository,
    private readonly projects: ProjectsRepository,
    private readonly client: WebhookClient,
    private readonly metrics: DispatcherMetrics,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async send(ids: readonly string[]): Promise<void> {
    const claimed = await this.metaEvents.claimDue([...new Set(ids)], META_EVENT_LEASE_SECONDS);
    if (claimed.length === 0) return;
    const projects = new Map(
      (await this.projects.findByIds(claimed.map((m) => m.projectId))).map((p) => [p.id, p] as const),
    );
    const outcomes = await Promise.all(
      claimed.map((metaEvent) => this.attempt(metaEvent, projects.get(metaEvent.projectId))),
    );
    await this.metaEvents.recordOutcomes(outcomes);
    for (const outcome of outcomes) this.metrics.metaEvents.inc({ status: outcome.status });
  }

  private async attempt(
    metaEvent: MetaEventEntity,
    project: ProjectEntity | undefined,
  ): Promise<MetaEventOutcomeUpdate> {
    const attempts = metaEvent.attempts + 1;
    const config = project?.config.meta_event;
    const leaseUntil = metaEvent.leaseUntil ?? new Date(0);
    // A project written before secrets were generated may have none: never sign with an empty key.
    const refusal =
      !project || !config?.is_enabled || !config.url
        ? 'meta events are disabled for this project'
        : !config.secret
          ? 'the project has no meta-event secret; set config.meta_event.secret'
          : null;
    if (refusal || !config) {
      return {
        id: metaEvent.id,
        leaseUntil,
        status: MetaEventStatus.Failure,
        attempts,
        nextSendTime: null,
        lastResponse: { http_status: null, headers: {}, body: '', error: refusal },
      };
    }
    const response = await this.client.post({
      url: config.url,
      body: metaEvent.payload,
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': USER_AGENT,
        'X-Convoy-Event-Type': metaEvent.eventType,
        'X-Convoy-Signature': signSimple(metaEvent.payload, config.secret),
      },
      timeoutMs: META_EVENT_TIMEOUT_MS,
    });
    const lastResponse = {
      http_status: response.statusCode,
      headers: response.headers,
      body: response.body,
      error: response.error,
    };
    const transition = stateAfterHttpAttempt({
      result: {
        statusCode: response.statusCode,
        retryAfter: response.headers['retry-after'],
        refused: response.refused,
        error: response.error,
      },
      attempts,
      retryLimit: metaEvent.retryLimit,
      strategy: {
        type: project.config.strategy.type,
        duration: project.config.strategy.duration,
      },
      goneDisablesTarget: false,
      now: new Date(this.clock.now()),
      random: Math.random,
    });
    return {
      id: metaEvent.id,
      leaseUntil,
      status: metaEventStatusAfter(transition.status),
      attempts,
      nextSendTime: transition.nextSendTime,
      lastResponse,
    };
  }
}
