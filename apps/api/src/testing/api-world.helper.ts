import { ManualClock, type ProjectConfig } from '@caravan/domain';
import { EndpointDirectory, EventDataSchemas, IntakeService, ProjectDirectory } from '@caravan/intake';
import type { MetaEventPublisher } from '@caravan/meta-events';
import type { DoorbellRinger } from '@caravan/messaging';
import type {
  EndpointEntity,
  EndpointsRepository,
  EventsRepository,
  EventTypesRepository,
  ProjectEntity,
  ProjectsRepository,
  SourcesRepository,
  SubscriptionFiltersRepository,
  SubscriptionsRepository,
} from '@caravan/persistence';
import { aProject, anEndpoint } from '@caravan/testing';
import { EndpointsService } from '../endpoints/endpoints.service';
import { EventsService } from '../events/events.service';
import { SourcesService } from '../sources/sources.service';
import { SubscriptionFiltersService } from '../subscriptions/subscription-filters.service';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import {
  ApiStore,
  asRepository,
  InMemoryApiEndpoints,
  InMemoryApiEvents,
  InMemoryApiEventTypes,
  InMemoryApiProjects,
  InMemoryApiSources,
  InMemoryApiSubscriptionFilters,
  InMemoryApiSubscriptions,
  RecordingApiMetaEvents,
  RecordingApiRinger,
} from './in-memory-api.fake';

export const INGEST_BASE_URL_FOR_TESTS = 'https://caravan.test/ingest';

/**
 * The api's resource services (endpoints, events with the real intake, subscriptions and
 * their filters, sources) wired as the api module wires them, over in-memory repositories,
 * a recording ringer and meta event publisher, and a manual clock.
 */
export class ApiWorld {
  readonly clock = new ManualClock();
  readonly store = new ApiStore(this.clock);
  readonly endpointRows = new InMemoryApiEndpoints(this.store);
  readonly eventRows = new InMemoryApiEvents(this.store);
  readonly sourceRows = new InMemoryApiSources(this.store);
  readonly subscriptionRows = new InMemoryApiSubscriptions(this.store);
  readonly filterRows = new InMemoryApiSubscriptionFilters(this.store);
  readonly metaEvents = new RecordingApiMetaEvents(this.store);
  readonly ringer = new RecordingApiRinger(this.store);
  readonly intake: IntakeService;
  readonly endpoints: EndpointsService;
  readonly events: EventsService;
  readonly subscriptions: SubscriptionsService;
  readonly filters: SubscriptionFiltersService;
  readonly sources: SourcesService;

  constructor() {
    const projects = asRepository<ProjectsRepository>(new InMemoryApiProjects(this.store));
    const endpointRows = asRepository<EndpointsRepository>(this.endpointRows);
    const eventRows = asRepository<EventsRepository>(this.eventRows);
    const sourceRows = asRepository<SourcesRepository>(this.sourceRows);
    const subscriptionRows = asRepository<SubscriptionsRepository>(this.subscriptionRows);
    const directory = new EndpointDirectory(endpointRows, this.clock);
    this.intake = new IntakeService(
      new ProjectDirectory(projects),
      directory,
      eventRows,
      asRepository<DoorbellRinger>(this.ringer),
      new EventDataSchemas(asRepository<EventTypesRepository>(new InMemoryApiEventTypes(this.store))),
    );
    this.endpoints = new EndpointsService(
      endpointRows,
      projects,
      asRepository<MetaEventPublisher>(this.metaEvents),
      directory,
      this.clock,
    );
    this.events = new EventsService(
      this.intake,
      eventRows,
      this.endpoints,
      endpointRows,
      sourceRows,
      INGEST_BASE_URL_FOR_TESTS,
      this.clock,
    );
    this.subscriptions = new SubscriptionsService(subscriptionRows, endpointRows, sourceRows);
    this.filters = new SubscriptionFiltersService(
      asRepository<SubscriptionFiltersRepository>(this.filterRows),
      subscriptionRows,
      this.clock,
    );
    this.sources = new SourcesService(sourceRows);
  }

  /** A stored project (the recording publisher records every meta event, wanted or not). */
  project(config: Partial<ProjectConfig> = {}): ProjectEntity {
    const project = aProject(config);
    this.store.projects.set(project.id, project);
    return project;
  }

  /** A stored endpoint of `project`. */
  endpoint(project: { id: string }, fields: Partial<EndpointEntity> = {}): EndpointEntity {
    const endpoint = anEndpoint(project, fields);
    this.store.endpoints.set(endpoint.id, endpoint);
    return endpoint;
  }

  /** The meta events of one type published so far. */
  metaEventsOf(type: string) {
    return this.store.metaEvents.filter((m) => m.type === type);
  }
}
