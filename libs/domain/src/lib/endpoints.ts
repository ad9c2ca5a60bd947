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

/** How an endpoint receives the event's JSON body (Convoy's `content_type`). */
export enum EndpointContentType {
  Json = 'application/json',
  FormUrlEncoded = 'application/x-www-form-urlencoded',
}

/** A client-credentials grant against the endpoint owner's token URL (Convoy's `oauth2`). */
export interface OAuth2Config {
  url: string;
  client_id: string;
  client_secret: string;
  /** Always client_credentials: the only grant a server-to-server delivery can use. */
  grant_type: 'client_credentials';
  scope?: string;
  audience?: string;
  /** Names in the token response when the provider does not use the standard ones. */
  field_mapping?: { access_token?: string; token_type?: string; expires_in?: string };
  /** Unit of the token response's expires_in; seconds when absent. */
  expiry_time_unit?: 'seconds' | 'milliseconds' | 'minutes' | 'hours';
}

export type EndpointAuthentication =
  | { type: 'api_key'; api_key: { header_name: string; header_value: string } }
  | { type: 'basic_auth'; basic_auth: { username: string; password: string } }
  | { type: 'oauth2'; oauth2: OAuth2Config };

/** PEM client certificate and key presented on TLS connections to the endpoint. */
export interface MtlsClientCert {
  client_cert: string;
  client_key: string;
}

/** What a stored credential is shown as; sent back unchanged, it keeps the stored value. */
export const MASKED_CREDENTIAL = '********';

/** The last four characters behind a mask: enough to recognise a credential, not to use it. */
export function maskCredential(secret: string): string {
  return secret.length > 8 ? `${MASKED_CREDENTIAL}${secret.slice(-4)}` : MASKED_CREDENTIAL;
}

/**
 * Endpoint credentials as they may be shown (API responses, meta events): Convoy's shape
 * with every block present (null but the one in use), the oauth2 client secret masked.
 */
export function presentableAuthentication(authentication: EndpointAuthentication | null) {
  if (!authentication) return null;
  return {
    type: authentication.type,
    api_key: authentication.type === 'api_key' ? authentication.api_key : null,
    basic_auth: authentication.type === 'basic_auth' ? authentication.basic_auth : null,
    oauth2:
      authentication.type === 'oauth2'
        ? { ...authentication.oauth2, client_secret: maskCredential(authentication.oauth2.client_secret) }
        : null,
  };
}

export enum CircuitBreakerState {
  Closed = 'closed',
  Open = 'open',
  HalfOpen = 'half-open',
}
