import { DeliveryStatus, ProjectType, RetryStrategyType } from '@caravan/domain';
import {
  EndpointEntity,
  EndpointsRepository,
  EventDeliveriesRepository,
  EventDeliveryEntity,
  EventEntity,
  EventsRepository,
  NewEndpoint,
  NewEvent,
  NewEventDelivery,
  NewProject,
  NewSubscription,
  ProjectEntity,
  ProjectsRepository,
  SubscriptionEntity,
  SubscriptionsRepository,
} from '@caravan/persistence';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';

/** Test data through the real repositories, so fixtures obey the same rules as the app. */
export function insertProject(dataSource: DataSource, overrides: Partial<NewProject> = {}): Promise<ProjectEntity> {
  return new ProjectsRepository(dataSource).create({
    name: `project-${randomBytes(3).toString('hex')}`,
    type: ProjectType.Outgoing,
    ...overrides,
  });
}

export function insertEndpoint(
  dataSource: DataSource,
  projectId: string,
  overrides: Partial<NewEndpoint> = {},
): Promise<EndpointEntity> {
  return new EndpointsRepository(dataSource).insert({
    projectId,
    name: `endpoint-${randomBytes(3).toString('hex')}`,
    url: 'https://example.com/webhooks',
    ...overrides,
  });
}

export function insertSubscription(
  dataSource: DataSource,
  projectId: string,
  endpointId: string,
  overrides: Partial<NewSubscription> = {},
): Promise<SubscriptionEntity> {
  return new SubscriptionsRepository(dataSource).insert({
    projectId,
    endpointId,
    name: `subscription-${randomBytes(3).toString('hex')}`,
    ...overrides,
  });
}

export async function insertEvent(
  dataSource: DataSource,
  projectId: string,
  overrides: Partial<NewEvent> = {},
): Promise<EventEntity> {
  const { event } = await new EventsRepository(dataSource).insertAccepted({
    projectId,
    eventType: 'invoice.paid',
    routing: 'broadcast',
    raw: Buffer.from('{"ok":true}'),
    ...overrides,
  });
  return event;
}

/** A delivery row for `event`/`subscription` with sensible retry settings; override freely. */
export function deliveryRow(
  event: EventEntity,
  subscription: SubscriptionEntity,
  overrides: Partial<NewEventDelivery> = {},
): NewEventDelivery {
  return {
    projectId: event.projectId,
    eventId: event.id,
    endpointId: subscription.endpointId,
    subscriptionId: subscription.id,
    eventType: event.eventType,
    generation: event.generation,
    status: DeliveryStatus.Scheduled,
    retryLimit: 10,
    strategy: RetryStrategyType.Linear,
    intervalSeconds: 10,
    ...overrides,
  };
}

export interface DeliveryWorld {
  project: ProjectEntity;
  endpoint: EndpointEntity;
  subscriptions: SubscriptionEntity[];
  events: EventEntity[];
  deliveryIds: string[];
}

/**
 * A project with one endpoint, `subscriptionCount` subscriptions and `eventCount` events,
 * and one delivery per (event, subscription): eventCount × subscriptionCount rows, due now
 * unless overridden.
 */
export async function insertDeliveryWorld(
  dataSource: DataSource,
  options: { eventCount: number; subscriptionCount: number; delivery?: Partial<NewEventDelivery> },
): Promise<DeliveryWorld> {
  const project = await insertProject(dataSource);
  const endpoint = await insertEndpoint(dataSource, project.id);
  const subscriptions: SubscriptionEntity[] = [];
  for (let i = 0; i < options.subscriptionCount; i++) {
    subscriptions.push(await insertSubscription(dataSource, project.id, endpoint.id));
  }
  const events: EventEntity[] = [];
  for (let i = 0; i < options.eventCount; i++) {
    events.push(await insertEvent(dataSource, project.id));
  }
  const rows = events.flatMap((event) =>
    subscriptions.map((subscription) => deliveryRow(event, subscription, options.delivery)),
  );
  const deliveryIds = await new EventDeliveriesRepository(dataSource).insertScheduled(rows);
  return { project, endpoint, subscriptions, events, deliveryIds };
}

/** The delivery rows a sender's claim returns (claimDueForSending without what it joins). */
export async function claimedRows(
  repository: EventDeliveriesRepository,
  ids: readonly string[],
  leaseSeconds: number,
): Promise<EventDeliveryEntity[]> {
  return (await repository.claimDueForSending(ids, leaseSeconds)).map(({ delivery }) => delivery);
}
