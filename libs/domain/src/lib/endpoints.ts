/** How deliveries to an endpoint are signed. */
export enum SignatureFormat {
  Convoy = 'convoy',
  StandardWebhooks = 'standard-webhooks',
}

export interface EndpointSecret {
  uid: string;
  value: string;
  created_at: string;
  /** ISO time after which the secret no longer signs; null while it is current. */
  expires_at: string | null;
}

export interface EndpointAuthentication {
  type: 'api_key';
  api_key: { header_name: string; header_value: string };
}

export enum CircuitBreakerState {
  Closed = 'closed',
  Open = 'open',
  HalfOpen = 'half-open',
}
