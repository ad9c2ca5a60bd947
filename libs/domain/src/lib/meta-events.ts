export enum MetaEventType {
  EndpointCreated = 'endpoint.created',
  EndpointUpdated = 'endpoint.updated',
  EndpointDeleted = 'endpoint.deleted',
  EventDeliverySuccess = 'eventdelivery.success',
  EventDeliveryFailed = 'eventdelivery.failed',
}
