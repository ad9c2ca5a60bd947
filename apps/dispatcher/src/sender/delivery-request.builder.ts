import {
  deliveryBody,
  EndpointAuthentication,
  EndpointContentType,
  EndpointSecret,
  SignatureConfig,
  SignatureFormat,
  currentSecret,
  signAdvanced,
  signSimple,
  signStandardWebhooks,
} from '@caravan/domain';

export type OutgoingHeaders = Record<string, string | string[]>;

export interface DeliveryRequestInput {
  deliveryId: string;
  event: {
    id: string;
    eventType: string;
    /** The exact body bytes: signed and sent as they are. */
    raw: Buffer;
    /** The event's custom headers (Convoy's shape: name → values). */
    headers: Record<string, string[]>;
    idempotencyKey: string | null;
  };
  endpoint: {
    secrets: EndpointSecret[];
    advancedSignatures: boolean;
    signatureFormat: SignatureFormat;
    /** Absent: application/json. */
    contentType?: EndpointContentType;
    authentication: EndpointAuthentication | null;
  };
  /** An oauth2 endpoint's current access token (fetched by the caller). */
  bearerToken?: { type: string; value: string };
  signature: SignatureConfig;
  userAgent: string;
  now: Date;
}

/** Header names Caravan owns: an event's custom headers cannot override them. */
const RESERVED = new Set([
  'content-type',
  'content-length',
  'host',
  'user-agent',
  'transfer-encoding',
  'connection',
  'x-convoy-event-type',
  'x-convoy-event-id',
  'x-convoy-delivery-id',
  'x-convoy-idempotency-key',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

export interface DeliveryRequest {
  headers: OutgoingHeaders;
  /** The bytes sent, in the endpoint's content type; the signature covers exactly these. */
  body: Buffer;
}

/**
 * One delivery request: its body in the endpoint's content type (deliveryBody) and the
 * headers that sign it.
 */
export function buildDeliveryRequest(input: DeliveryRequestInput): DeliveryRequest {
  const contentType = input.endpoint.contentType ?? EndpointContentType.Json;
  const body = deliveryBody(input.event.raw, contentType);
  return { body, headers: DeliveryRequestBuilder.headers({ ...input, event: { ...input.event, raw: body } }) };
}

/**
 * The headers of one delivery request (api.md "Delivery request"): the event's custom
 * headers, the endpoint's authentication header, then Caravan's own, which win:
 * Content-Type, User-Agent, X-Convoy-Idempotency-Key (when set), X-Convoy-Event-Type,
 * X-Convoy-Event-ID, X-Convoy-Delivery-ID and the signature, over the exact raw bytes:
 * - Standard Webhooks endpoints: webhook-id (the delivery id, stable across retries),
 *   webhook-timestamp, webhook-signature;
 * - advanced signatures: `t=…,v1=…` with one v1 per live secret;
 * - otherwise the simple HMAC with the newest live secret in the project's newest version.
 * Throws NoLiveSecretError when no secret of the endpoint is live.
 */
export class DeliveryRequestBuilder {
  static headers(input: DeliveryRequestInput): OutgoingHeaders {
    const { event, endpoint, signature } = input;
    const headers: OutgoingHeaders = {};
    const signatureHeader = signature.header.toLowerCase();
    const credentials = authenticationHeaders(endpoint.authentication, input.bearerToken);
    // An event's custom header never replaces the endpoint's credentials, whatever its case.
    const owned = new Set(Object.keys(credentials).map((name) => name.toLowerCase()));
    for (const [name, values] of Object.entries(event.headers ?? {})) {
      const lower = name.toLowerCase();
      if (RESERVED.has(lower) || owned.has(lower) || lower === signatureHeader) continue;
      if (!Array.isArray(values) || values.length === 0) continue;
      headers[name] = values.length === 1 ? String(values[0]) : values.map(String);
    }
    Object.assign(headers, credentials);

    headers['Content-Type'] = endpoint.contentType ?? EndpointContentType.Json;
    headers['User-Agent'] = input.userAgent;
    if (event.idempotencyKey) headers['X-Convoy-Idempotency-Key'] = event.idempotencyKey;
    headers['X-Convoy-Event-Type'] = event.eventType;
    headers['X-Convoy-Event-ID'] = event.id;
    headers['X-Convoy-Delivery-ID'] = input.deliveryId;

    if (endpoint.signatureFormat === SignatureFormat.StandardWebhooks) {
      Object.assign(
        headers,
        signStandardWebhooks({
          id: input.deliveryId,
          body: event.raw,
          secrets: endpoint.secrets,
          now: input.now,
        }),
      );
    } else if (endpoint.advancedSignatures) {
      headers[signature.header] = signAdvanced({
        body: event.raw,
        secrets: endpoint.secrets,
        now: input.now,
        versions: signature.versions,
      });
    } else {
      const version = signature.versions[signature.versions.length - 1];
      headers[signature.header] = signSimple(event.raw, currentSecret(endpoint.secrets, input.now).value, version);
    }
    return headers;
  }

  /** The headers as stored on the attempt row: arrays of values, the auth secret redacted. */
  static forRecord(headers: OutgoingHeaders, authentication: EndpointAuthentication | null): Record<string, string[]> {
    const secretHeader =
      authentication?.type === 'api_key' ? authentication.api_key.header_name.toLowerCase() : 'authorization';
    const record: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase();
      record[name] =
        lower === secretHeader || lower === 'authorization' ? ['[REDACTED]'] : Array.isArray(value) ? value : [value];
    }
    return record;
  }
}

/** The endpoint's credentials as headers: its api_key header, Basic, or the oauth2 bearer token. */
function authenticationHeaders(
  authentication: EndpointAuthentication | null,
  bearerToken: { type: string; value: string } | undefined,
): OutgoingHeaders {
  switch (authentication?.type) {
    case 'api_key':
      return authentication.api_key.header_name
        ? { [authentication.api_key.header_name]: authentication.api_key.header_value }
        : {};
    case 'basic_auth': {
      const { username, password } = authentication.basic_auth;
      return { Authorization: `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}` };
    }
    case 'oauth2':
      return bearerToken ? { Authorization: `${bearerToken.type || 'Bearer'} ${bearerToken.value}` } : {};
    default:
      return {};
  }
}
