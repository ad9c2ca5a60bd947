/** Delivery statuses, exactly Convoy's API values (docs call `Failure` "Failed"). */
export enum DeliveryStatus {
  Scheduled = 'Scheduled',
  Processing = 'Processing',
  Success = 'Success',
  Retry = 'Retry',
  Failure = 'Failure',
  Discarded = 'Discarded',
}

/** An event's own status: Pending until the router has created its deliveries. */
export enum EventStatus {
  Pending = 'Pending',
  Processing = 'Processing',
  Success = 'Success',
  Failure = 'Failure',
  Retry = 'Retry',
}

export enum EndpointStatus {
  Active = 'active',
  Inactive = 'inactive',
  Pending = 'pending',
  Paused = 'paused',
}

export enum MetaEventStatus {
  Scheduled = 'Scheduled',
  Processing = 'Processing',
  Success = 'Success',
  Retry = 'Retry',
  Failure = 'Failure',
}
