import {
  DeliveryStatus,
  EndpointStatus,
  ManualClock,
  newId,
  RetryStrategyType,
  SignatureFormat,
} from '@caravan/domain';
import { EndpointEntity, EventDeliveryEntity } from '@caravan/persistence';

/** Entities built in memory with the columns' defaults, for the api's unit tests. */
export function anEndpoint(projectId: string, fields: Partial<EndpointEntity> = {}): EndpointEntity {
  return Object.assign(new EndpointEntity(), {
    id: newId(),
    projectId,
    ownerId: null,
    name: 'receiver',
    url: 'https://receiver.example/hook',
    description: '',
    status: EndpointStatus.Active,
    secrets: [],
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

export function aDelivery(
  endpoint: EndpointEntity,
  clock: ManualClock,
  fields: Partial<EventDeliveryEntity> = {},
): EventDeliveryEntity {
  return Object.assign(new EventDeliveryEntity(), {
    id: newId(),
    projectId: endpoint.projectId,
    eventId: newId(),
    endpointId: endpoint.id,
    subscriptionId: newId(),
    sourceId: null,
    eventType: 'order.created',
    idempotencyKey: null,
    generation: 1,
    status: DeliveryStatus.Failure,
    description: 'Retry limit exceeded',
    headers: {},
    urlQueryParams: '',
    attempts: 3,
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
