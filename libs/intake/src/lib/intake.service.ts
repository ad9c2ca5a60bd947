import { Injectable, Optional } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry, currentTraceparent, inSpan } from '@caravan/observability';
import { eventBell, MicroBatcher, newId } from '@caravan/domain';
import { DoorbellRinger } from '@caravan/messaging';
import {
  EventEntity,
  EventRouting,
  EventsRepository,
  AcceptedEvent,
  NewEvent,
  ProjectEntity,
} from '@caravan/persistence';
import { EndpointDirectory } from './endpoint-directory.service';
import { EventDataSchemas } from './event-data-schemas.service';
import { EventRejectedError } from './event-rejected.error';
import { ProjectDirectory } from './project-directory.service';

/** A batch of event inserts waits at most this long for company (a request's added latency). */
export const INSERT_LINGER_MS = 2;
export const INSERT_MAX_BATCH = 200;

/** Where an accepted event goes (docs/architecture.md#the-path-of-one-event); the router resolves it to subscriptions. */
export type EventRoute =
  | { routing: 'direct'; endpointId: string }
  | { routing: 'dynamic'; endpointId: string }
  | { routing: 'fanout'; ownerId: string }
  | { routing: 'broadcast' }
  | { routing: 'source'; sourceId: string };

export interface AcceptEventInput {
  project: ProjectEntity;
  route: EventRoute;
  eventType: string;
  /** The exact bytes of the event's `data`: stored, signed and delivered as they are. */
  raw: Buffer;
  /** Convoy's shape: header name → values. */
  headers?: Record<string, string[]>;
  idempotencyKey?: string | null;
  /** The original query string, without the `?` (ingest). */
  urlQueryParams?: string;
  acknowledgedAt?: Date | null;
  /**
   * The source the event came through, when it is routed otherwise than by that source
   * (the ingester's pub_sub messages route direct, fanout or broadcast yet name their source).
   */
  sourceId?: string | null;
}

export interface AcceptedEventResult {
  event: EventEntity;
  /** True when the idempotency key was already taken: stored, flagged, and never delivered. */
  duplicate: boolean;
}

/**
 * The one way an event enters Caravan, for the api (`POST /events…`, `/ingest`) and the
 * ingester: validate, INSERT (idempotency decided by the unique index), and only after
 * the row is committed ring `caravan.events`. The row is the promise: when Kafka is down
 * the request still succeeds, the failure is logged, and the dispatcher's scheduler
 * re-rings events left Pending. When Postgres is down the insert throws and the caller
 * fails the request (the api answers 503): an event is never acknowledged unstored.
 */
@Injectable()
export class IntakeService {
  private readonly intake: Counter<'routing' | 'outcome'>;
  /**
   * Concurrent requests' events share one INSERT: round trips to Postgres, not CPU, are what
   * a busy intake spends most on. A batch that fails is retried row by row, so one bad row
   * (or a passing fault) fails only its own request. Ids are assigned before the first try
   * and the insert is idempotent on them, so a retry after a commit whose answer was lost
   * finds the stored row instead of storing the event twice.
   */
  private readonly inserts = new MicroBatcher<NewEvent, AcceptedEvent>(
    (events) =>
      this.events
        .insertAcceptedMany(events)
        .catch(() =>
          Promise.all(events.map((event) => this.events.insertAccepted(event).catch((error: Error) => error))),
        ),
    { lingerMs: INSERT_LINGER_MS, maxBatch: INSERT_MAX_BATCH },
  );

  constructor(
    private readonly directory: ProjectDirectory,
    private readonly endpoints: EndpointDirectory,
    private readonly events: EventsRepository,
    private readonly ringer: DoorbellRinger,
    private readonly schemas: EventDataSchemas,
    @Optional() metrics?: MetricsRegistry,
  ) {
    this.intake = new Counter({
      name: 'caravan_intake_events_total',
      help: 'Events offered to the intake, by routing and outcome (accepted, duplicate, rejected).',
      labelNames: ['routing', 'outcome'],
      registers: metrics ? [metrics.registry] : [],
    });
  }

  /** The live project, or an EventRejectedError `project-not-found`. */
  async project(projectId: string): Promise<ProjectEntity> {
    const project = await this.directory.find(projectId);
    if (!project) throw new EventRejectedError('project-not-found', `project ${projectId} not found`);
    return project;
  }

  /** Refuses a body over the project's `max_payload_read_size` (`too-large`). */
  static assertWithinLimit(project: ProjectEntity, bytes: number): void {
    const limit = project.config.max_payload_read_size;
    if (bytes > limit) {
      throw new EventRejectedError(
        'too-large',
        `event data is ${bytes} bytes, over the project's max_payload_read_size of ${limit} bytes`,
      );
    }
  }

  async accept(input: AcceptEventInput): Promise<AcceptedEventResult> {
    try {
      const result = await this.store(input);
      this.intake.inc({
        routing: input.route.routing,
        outcome: result.duplicate ? 'duplicate' : 'accepted',
      });
      return result;
    } catch (error) {
      if (error instanceof EventRejectedError) {
        this.intake.inc({ routing: input.route.routing, outcome: 'rejected' });
      }
      throw error;
    }
  }

  /**
   * Runs in a `caravan.intake` span (a child of the request's or the broker message's span):
   * its trace context is stored with the event, so the router joins the trace however late.
   */
  private store(input: AcceptEventInput): Promise<AcceptedEventResult> {
    return inSpan(
      'caravan.intake',
      {
        attributes: {
          'caravan.project.id': input.project.id,
          'caravan.event.type': input.eventType,
          'caravan.event.routing': input.route.routing,
        },
      },
      async (span) => {
        const result = await this.storeEvent(input);
        span?.setAttributes({ 'caravan.event.id': result.event.id, 'caravan.event.duplicate': result.duplicate });
        return result;
      },
    );
  }

  private async storeEvent(input: AcceptEventInput): Promise<AcceptedEventResult> {
    const { project, route } = input;
    IntakeService.assertWithinLimit(project, input.raw.length);
    await this.schemas.check(project, input.eventType, input.raw);
    const target = await this.resolveTarget(project.id, route);
    const { event, duplicate } = await this.inserts.submit({
      id: newId(),
      projectId: project.id,
      eventType: input.eventType,
      routing: route.routing satisfies EventRouting,
      endpointIds: target.endpointIds,
      ownerId: route.routing === 'fanout' ? route.ownerId : null,
      sourceId: route.routing === 'source' ? route.sourceId : (input.sourceId ?? null),
      raw: input.raw,
      headers: input.headers ?? {},
      urlQueryParams: input.urlQueryParams ?? '',
      idempotencyKey: input.idempotencyKey || null,
      acknowledgedAt: input.acknowledgedAt ?? null,
      traceparent: currentTraceparent(),
    });
    if (!duplicate) this.ring([event]);
    return { event, duplicate };
  }

  /**
   * Rings `caravan.events` for events already committed (new, or replayed). Never throws and
   * is not awaited by callers: a lost doorbell only delays routing until the scheduler's
   * sweep finds the event still Pending.
   */
  ring(events: ReadonlyArray<Pick<EventEntity, 'id' | 'projectId'>>): void {
    if (events.length === 0) return;
    void this.ringer.afterCommit(events.map(eventBell));
  }

  /** Checks the route's target in this project; the endpoint ids shown as Convoy's `endpoints`. */
  private async resolveTarget(projectId: string, route: EventRoute): Promise<{ endpointIds: string[] }> {
    switch (route.routing) {
      case 'direct':
      case 'dynamic': {
        const endpointId = await this.endpoints.endpoint(projectId, route.endpointId);
        if (!endpointId) {
          throw new EventRejectedError(
            'invalid',
            `endpoint_id: no endpoint ${route.endpointId} in this project`,
            'endpoint_id',
          );
        }
        return { endpointIds: [endpointId] };
      }
      case 'fanout': {
        const owned = await this.endpoints.ownedBy(projectId, route.ownerId);
        if (owned.length === 0) {
          throw new EventRejectedError(
            'invalid',
            `owner_id: no endpoint in this project has owner_id ${route.ownerId}`,
            'owner_id',
          );
        }
        return { endpointIds: [...owned] };
      }
      case 'broadcast':
      case 'source':
        return { endpointIds: [] };
      default: {
        const unknown: never = route;
        throw new Error(`unknown routing ${JSON.stringify(unknown)}`);
      }
    }
  }
}
