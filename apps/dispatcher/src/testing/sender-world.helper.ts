import type { DispatcherSettings } from '@caravan/config';
import { ManualClock } from '@caravan/domain';
import type { MetaEventPublisher } from '@caravan/meta-events';
import type {
  EndpointEntity,
  EndpointsRepository,
  EventDeliveriesRepository,
  EventDeliveryEntity,
  EventEntity,
  ProjectEntity,
  SubscriptionsRepository,
} from '@caravan/persistence';
import type { TransformPool } from '@caravan/sandbox';
import type { DispatcherMetrics } from '../metrics/dispatcher.metrics';
import { DeliveryMetaEvents } from '../meta-events/delivery-meta-events.service';
import type { DisabledEndpoint, EndpointFailureNotifier } from '../notifications/endpoint-failure.notifier';
import { DeliveryAttempter } from '../sender/delivery-attempter.service';
import { DeliveryLeases } from '../sender/delivery-leases.service';
import { DeliveryPayload } from '../sender/delivery-payload.service';
import { EndpointGate } from '../sender/endpoint-gate.service';
import { EndpointRequestSender } from '../sender/endpoint-request.sender';
import { OutcomeWriter } from '../sender/outcome.writer';
import { SenderService } from '../sender/sender.service';
import type { WebhookClient } from '../sender/webhook.client';
import {
  aDelivery,
  aProject,
  anEndpoint,
  anEvent,
  dispatcherMetrics,
  dispatcherSettings,
} from './unit-fixtures.helper';
import {
  asRepository,
  InMemoryDeliveries,
  InMemoryEndpoints,
  InMemoryStore,
  InMemorySubscriptions,
  RecordingMetaEventPublisher,
  ScriptedWebhookClient,
} from './in-memory-store.fake';

/**
 * The sender's services wired as the dispatcher module wires them, over in-memory
 * repositories, a scripted HTTP client and a manual clock: the real gate, attempter,
 * outcome writer and leases, nothing mocked but the storage and the network.
 */
export class SenderWorld {
  readonly clock = new ManualClock();
  readonly store = new InMemoryStore(this.clock);
  readonly deliveries = new InMemoryDeliveries(this.store);
  readonly endpoints = new InMemoryEndpoints(this.store);
  readonly http = new ScriptedWebhookClient();
  readonly disabled: DisabledEndpoint[] = [];
  readonly settings: DispatcherSettings;
  readonly metrics: DispatcherMetrics = dispatcherMetrics();
  readonly gate: EndpointGate;
  readonly attempter: DeliveryAttempter;
  readonly leases: DeliveryLeases;
  readonly writer: OutcomeWriter;
  readonly sender: SenderService;

  constructor(env: Record<string, string> = {}, pool: Partial<TransformPool> = {}) {
    this.settings = dispatcherSettings(env);
    this.gate = new EndpointGate(this.settings, this.metrics);
    const payload = new DeliveryPayload(
      asRepository<SubscriptionsRepository>(new InMemorySubscriptions(this.store)),
      asRepository<TransformPool>(pool),
    );
    this.attempter = new DeliveryAttempter(
      this.settings,
      this.gate,
      new EndpointRequestSender(asRepository<WebhookClient>(this.http)),
      this.metrics,
      payload,
      this.clock,
    );
    this.leases = new DeliveryLeases(this.settings, asRepository<EventDeliveriesRepository>(this.deliveries));
    const notifier: Pick<EndpointFailureNotifier, 'endpointDisabled'> = {
      endpointDisabled: (disabled) => void this.disabled.push(disabled),
    };
    this.writer = new OutcomeWriter(
      asRepository<EventDeliveriesRepository>(this.deliveries),
      asRepository<EndpointsRepository>(this.endpoints),
      new DeliveryMetaEvents(asRepository<MetaEventPublisher>(new RecordingMetaEventPublisher(this.store))),
      this.metrics,
      asRepository<EndpointFailureNotifier>(notifier),
      this.leases,
    );
    this.sender = new SenderService(
      this.settings,
      asRepository<EventDeliveriesRepository>(this.deliveries),
      this.gate,
      this.attempter,
      this.writer,
      this.leases,
      this.clock,
    );
  }

  /** A project with one endpoint, one event and `count` deliveries of it, stored. */
  seed(
    options: {
      project?: Parameters<typeof aProject>[0];
      endpoint?: Partial<EndpointEntity>;
      delivery?: Partial<EventDeliveryEntity>;
      count?: number;
    } = {},
  ): { project: ProjectEntity; endpoint: EndpointEntity; event: EventEntity; deliveries: EventDeliveryEntity[] } {
    const project = aProject(options.project);
    const endpoint = anEndpoint(project, options.endpoint);
    const event = anEvent(project, { endpointIds: [endpoint.id], createdAt: new Date(this.clock.now()) });
    const deliveries = Array.from({ length: options.count ?? 1 }, () =>
      aDelivery(event, endpoint, this.clock, options.delivery),
    );
    this.store.add(this.store.projects, project);
    this.store.add(this.store.endpoints, endpoint);
    this.store.add(this.store.events, event);
    this.store.add(this.store.deliveries, ...deliveries);
    return { project, endpoint, event, deliveries };
  }

  /** Sends these deliveries and waits until every send started has settled. */
  async sendAll(...ids: string[]): Promise<void> {
    await this.sender.send(ids);
    await this.sender.drain();
  }
}
