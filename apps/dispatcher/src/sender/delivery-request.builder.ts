import {
  EndpointAuthentication,
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
    authentication: EndpointAuthentication | null;
  };
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
    for (const [name, values] of Object.entries(event.headers ?? {})) {
      const lower = name.toLowerCase();
      if (RESERVED.has(lower) || lower === signatureHeader || !Array.isArray(values) || values.length === 0) continue;
      headers[name] = values.length === 1 ? String(values[0]) : values.map(String);
    }
    const auth = endpoint.authentication?.api_key;
    if (auth?.header_name) headers[auth.header_name] = auth.header_value;

    headers['Content-Type'] = 'application/json';
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
    const secretHeader = authentication?.api_key?.header_name?.toLowerCase();
    const record: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(headers)) {
      record[name] = name.toLowerCase() === secretHeader ? ['[REDACTED]'] : Array.isArray(value) ? value : [value];
    }
    return record;
  }
}
