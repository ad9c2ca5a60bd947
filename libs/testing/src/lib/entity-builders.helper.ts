import {
  DEFAULT_PROJECT_CONFIG,
  DeliveryStatus,
  EndpointStatus,
  EventStatus,
  ManualClock,
  newId,
  RetryStrategyType,
  SignatureFormat,
  SourceType,
  VerifierType,
  type ProjectConfig,
} from '@caravan/domain';
import {
  EndpointEntity,
  EventDeliveryEntity,
  EventEntity,
  ProjectEntity,
  SourceEntity,
  SubscriptionEntity,
} from '@caravan/persistence';
import { QueryFailedError } from 'typeorm';

/**
 * Entities built in memory with the columns' defaults, for the services' unit tests over
 * in-memory fakes (rows in a real database come from fixtures.helper.ts instead).
 */
export function aProject(config: Partial<ProjectConfig> = {}, fields: Partial<ProjectEntity> = {}): ProjectEntity {
  return Object.assign(new ProjectEntity(), {
    id: newId(),
    name: 'unit',
    type: 'outgoing',
    config: { ...structuredClone(DEFAULT_PROJECT_CONFIG), ...config },
    createdAt: new Date(0),
    updatedAt: new Date(0),
    deletedAt: null,
    ...fields,
  });
}

export function anEndpoint(project: { id: string }, fields: Partial<EndpointEntity> = {}): EndpointEntity {
  return Object.assign(new EndpointEntity(), {
    id: newId(),
    projectId: project.id,
    ownerId: null,
    name: 'receiver',
    url: `https://receiver.example/${newId()}`,
    description: '',
    status: EndpointStatus.Active,
    secrets: [{ uid: newId(), value: 'unit-secret', created_at: new Date(0).toISOString(), expires_at: null }],
    advancedSignatures: false,
    signatureFormat: SignatureFormat.Convoy,
    httpTimeout: 10,
    rateLimit: 0,
    rateLimitDuration: 0,
    contentType: 'application/json',
    mtlsClientCert: null,
    authentication: null,
    supportEmail: '',
    slackWebhookUrl: '',
    cbState: 'closed',
    cbStateChangedAt: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    deletedAt: null,
    ...fields,
  });
}

export function anEvent(project: { id: string }, fields: Partial<EventEntity> = {}): EventEntity {
  return Object.assign(new EventEntity(), {
    id: newId(),
    projectId: project.id,
    eventType: 'order.created',
    sourceId: null,
    routing: 'direct',
    endpointIds: [],
    ownerId: null,
    raw: Buffer.from('{"ok":true}'),
    headers: {},
    urlQueryParams: '',
    idempotencyKey: null,
    isDuplicateEvent: false,
    status: EventStatus.Pending,
    generation: 1,
    acknowledgedAt: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    deletedAt: null,
    ...fields,
  });
}

export function aSubscription(
  endpoint: Pick<EndpointEntity, 'id' | 'projectId'>,
  fields: Partial<SubscriptionEntity> = {},
): SubscriptionEntity {
  return Object.assign(new SubscriptionEntity(), {
    id: newId(),
    projectId: endpoint.projectId,
    endpointId: endpoint.id,
    name: 'unit',
    type: 'api',
    eventTypes: ['*'],
    filterBody: {},
    filterHeaders: {},
    deliveryMode: 'at_least_once',
    sourceId: null,
    function: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    deletedAt: null,
    ...fields,
  });
}

export function aSource(project: { id: string }, fields: Partial<SourceEntity> = {}): SourceEntity {
  return Object.assign(new SourceEntity(), {
    id: newId(),
    projectId: project.id,
    name: 'source',
    type: SourceType.Http,
    provider: null,
    maskId: newId(),
    verifier: { type: VerifierType.Noop },
    customResponse: null,
    idempotencyKeys: [],
    eventTypeLocation: null,
    forwardHeaders: [],
    pubSub: null,
    bodyFunction: null,
    headerFunction: null,
    isDisabled: false,
    providerConfig: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    deletedAt: null,
    ...fields,
  });
}

/** A delivery of `event` to `endpoint`, due now on `clock` and not yet attempted. */
export function aDelivery(
  event: Pick<EventEntity, 'id' | 'projectId' | 'eventType'>,
  endpoint: EndpointEntity,
  clock: ManualClock,
  fields: Partial<EventDeliveryEntity> = {},
): EventDeliveryEntity {
  return Object.assign(new EventDeliveryEntity(), {
    id: newId(),
    projectId: event.projectId,
    eventId: event.id,
    endpointId: endpoint.id,
    subscriptionId: newId(),
    sourceId: null,
    eventType: event.eventType,
    idempotencyKey: null,
    generation: 1,
    status: DeliveryStatus.Scheduled,
    description: '',
    headers: {},
    urlQueryParams: '',
    attempts: 0,
    retryLimit: 3,
    strategy: RetryStrategyType.Linear,
    intervalSeconds: 10,
    nextSendTime: new Date(clock.now()),
    leaseUntil: null,
    latencyMs: null,
    createdAt: new Date(clock.now()),
    updatedAt: new Date(clock.now()),
    deletedAt: null,
    ...fields,
  });
}

/**
 * An in-memory fake in place of the TypeORM repository it stands for (whose private members a
 * fake has not); the fake implements the methods the code under test calls.
 */
export function asRepository<T>(fake: Partial<NoInfer<T>>): T {
  return fake as T;
}

/** The error a repository throws when an insert breaks the unique index `constraint`. */
export function aUniqueViolation(constraint: string): Error {
  const driverError = Object.assign(new Error(`duplicate key value violates unique constraint "${constraint}"`), {
    code: '23505',
    constraint,
  });
  return new QueryFailedError('INSERT', [], driverError);
}
