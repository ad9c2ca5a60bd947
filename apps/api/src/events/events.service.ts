import { createdRange, repeated } from '../common/list-filters';
import { parseIsoDate } from '../common/iso-date';
import { BadRequestException, Inject, Injectable, NotFoundException, Optional } from '@nestjs/common';
import { CLOCK, Clock, rawJsonMember, systemClock } from '@caravan/domain';
import { AcceptedEventResult, EventRoute, IntakeService } from '@caravan/intake';
import {
  EndpointEntity,
  EndpointsRepository,
  EventEntity,
  EventSearchFilter,
  EventsRepository,
  Page,
  PageQuery,
  SourcesRepository,
} from '@caravan/persistence';
import { EndpointsService } from '../endpoints/endpoints.service';
import { INGEST_BASE_URL } from '../sources/ingest-base-url.token';
import type { EventContext } from './event.presenter';
import type {
  CreateBroadcastEventDto,
  CreateDynamicEventDto,
  CreateEventDto,
  CreateFanoutEventDto,
  EventBodyDto,
} from './dto/create-event.dto';
import type { EventFilterQueryDto } from './dto/event-query.dto';

/** `custom_headers {"X-A":"b"}` → Convoy's event headers `{"X-A":["b"]}`. */
export function toHeaderArrays(headers: Record<string, string> | undefined): Record<string, string[]> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, [value]]));
}

@Injectable()
export class EventsService {
  constructor(
    private readonly intake: IntakeService,
    private readonly events: EventsRepository,
    private readonly endpoints: EndpointsService,
    private readonly endpointRows: EndpointsRepository,
    private readonly sources: SourcesRepository,
    @Inject(INGEST_BASE_URL) private readonly ingestBaseUrl: string,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  /** The events with their endpoints and sources (two queries for the whole page). */
  async withContext(projectId: string, events: EventEntity[]): Promise<Array<{ event: EventEntity } & EventContext>> {
    const [endpoints, sources] = await Promise.all([
      this.endpointRows.findByIds(projectId, [...new Set(events.flatMap((event) => event.endpointIds))]),
      this.sources.findByIds(projectId, [
        ...new Set(events.map((event) => event.sourceId).filter((id): id is string => !!id)),
      ]),
    ]);
    const endpointById = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
    const sourceById = new Map(sources.map((source) => [source.id, source]));
    return events.map((event) => ({
      event,
      endpoints: event.endpointIds
        .map((id) => endpointById.get(id))
        .filter((endpoint): endpoint is EndpointEntity => !!endpoint),
      source: event.sourceId ? sourceById.get(event.sourceId) : undefined,
      ingestBaseUrl: this.ingestBaseUrl,
    }));
  }

  createDirect(projectId: string, body: CreateEventDto, rawBody: Buffer | undefined): Promise<AcceptedEventResult> {
    return this.accept(projectId, { routing: 'direct', endpointId: body.endpoint_id }, body, rawBody);
  }

  createFanout(
    projectId: string,
    body: CreateFanoutEventDto,
    rawBody: Buffer | undefined,
  ): Promise<AcceptedEventResult> {
    return this.accept(projectId, { routing: 'fanout', ownerId: body.owner_id }, body, rawBody);
  }

  createBroadcast(
    projectId: string,
    body: CreateBroadcastEventDto,
    rawBody: Buffer | undefined,
  ): Promise<AcceptedEventResult> {
    const acknowledgedAt = body.acknowledged_at ? (parseIsoDate(body.acknowledged_at) ?? undefined) : undefined;
    return this.accept(projectId, { routing: 'broadcast' }, body, rawBody, acknowledgedAt);
  }

  /** Finds or creates the endpoint by URL (with a subscription for `event_types`), then routes to it. */
  async createDynamic(
    projectId: string,
    body: CreateDynamicEventDto,
    rawBody: Buffer | undefined,
  ): Promise<AcceptedEventResult> {
    const project = await this.intake.project(projectId);
    const raw = this.dataBytes(body, rawBody);
    IntakeService.assertWithinLimit(project, raw.length);
    const { endpoint } = await this.endpoints.ensureForUrl(projectId, {
      url: body.url,
      secret: body.secret,
      eventTypes: body.event_types ?? [],
    });
    return this.intake.accept({
      project,
      route: { routing: 'dynamic', endpointId: endpoint.id },
      eventType: body.event_type,
      raw,
      headers: toHeaderArrays(body.custom_headers),
      idempotencyKey: body.idempotency_key,
      acknowledgedAt: new Date(this.clock.now()),
    });
  }

  list(projectId: string, filter: EventFilterQueryDto, page: PageQuery): Promise<Page<EventEntity>> {
    return this.events.search(projectId, toSearchFilter(filter, new Date(this.clock.now())), page);
  }

  async get(projectId: string, eventId: string): Promise<EventEntity> {
    const event = await this.events.findById(projectId, eventId);
    if (!event) throw new NotFoundException(`event ${eventId} not found`);
    return event;
  }

  /** Convoy's replay: afresh, as if new (a new generation of deliveries). */
  async replay(projectId: string, eventId: string): Promise<EventEntity> {
    const replayed = await this.events.replay(projectId, eventId);
    if (!replayed) {
      const event = await this.get(projectId, eventId);
      if (event.isDuplicateEvent) {
        throw new BadRequestException(
          `event ${eventId} is a duplicate (its idempotency key was already used) and has nothing to deliver; replay the original`,
        );
      }
      throw new NotFoundException(`event ${eventId} not found`);
    }
    this.intake.ring([replayed]);
    return replayed;
  }

  /** How many events batchReplay would replay with these filters. */
  countReplayable(projectId: string, filter: EventFilterQueryDto): Promise<number> {
    return this.events.countReplayable(projectId, toSearchFilter(filter, new Date(this.clock.now())));
  }

  /** Replays every matching original event in one statement. */
  async batchReplay(
    projectId: string,
    filter: EventFilterQueryDto,
  ): Promise<{ num_success: number; num_failure: number }> {
    const { matched, replayed } = await this.events.replayMatching(
      projectId,
      toSearchFilter(filter, new Date(this.clock.now())),
    );
    this.intake.ring(replayed.map((id) => ({ id, projectId })));
    return {
      num_success: replayed.length,
      num_failure: matched - replayed.length,
    };
  }

  private async accept(
    projectId: string,
    route: EventRoute,
    body: EventBodyDto,
    rawBody: Buffer | undefined,
    acknowledgedAt: Date = new Date(this.clock.now()),
  ): Promise<AcceptedEventResult> {
    const project = await this.intake.project(projectId);
    return this.intake.accept({
      project,
      route,
      eventType: body.event_type,
      raw: this.dataBytes(body, rawBody),
      headers: toHeaderArrays(body.custom_headers),
      idempotencyKey: body.idempotency_key,
      acknowledgedAt,
    });
  }

  /** The exact bytes the producer sent for `data` (re-serialised only if the raw body is missing). */
  private dataBytes(body: EventBodyDto, rawBody: Buffer | undefined): Buffer {
    return (rawBody && rawJsonMember(rawBody, 'data')) || Buffer.from(JSON.stringify(body.data), 'utf8');
  }
}

/** The repository's filter for a query; without a start date the range looks back from `now`. */
export function toSearchFilter(query: EventFilterQueryDto, now: Date): EventSearchFilter {
  return {
    endpointIds: repeated(query.endpointId, query['endpointId[]']),
    sourceIds: repeated(query.sourceId, query['sourceId[]']),
    idempotencyKey: query.idempotencyKey,
    ownerId: query.ownerId,
    query: query.query,
    ...createdRange(query, now),
  };
}
