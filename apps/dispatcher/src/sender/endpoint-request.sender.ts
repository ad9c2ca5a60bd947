import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  MtlsClientCert,
  OAuth2Config,
  OAuth2Token,
  oauth2TokenRequestBody,
  oauth2TokenFromAnswer,
} from '@caravan/domain';
import { traceHeaders } from '@caravan/observability';
import { buildDeliveryRequest, DeliveryRequest, DeliveryRequestInput } from './delivery-request.builder';
import { WebhookClient, WebhookResponse } from './webhook.client';

/** Bound on a token request, whatever the endpoint's own timeout. */
const TOKEN_TIMEOUT_MS = 10_000;

export interface EndpointTarget {
  endpointId: string;
  url: string;
  timeoutMs: number;
  mtlsClientCert: MtlsClientCert | null;
  signal?: AbortSignal;
}

export interface SentRequest {
  request: DeliveryRequest | null;
  response: WebhookResponse;
}

/**
 * Sends one delivery request with the endpoint's credentials: builds it (body in the
 * endpoint's content type, signed), adds an oauth2 endpoint's access token (fetched with the
 * client-credentials grant, cached per endpoint until shortly before it expires, fetched
 * afresh once when the endpoint answers 401), and presents the endpoint's client
 * certificate. A token that cannot be had is a failed attempt whose error says why.
 */
@Injectable()
export class EndpointRequestSender {
  private readonly tokens = new Map<string, { key: string; token: Promise<OAuth2Token> }>();

  constructor(private readonly client: WebhookClient) {}

  async send(input: DeliveryRequestInput, target: EndpointTarget): Promise<SentRequest> {
    const auth = input.endpoint.authentication;
    if (auth?.type !== 'oauth2') return this.post(input, target);

    let token: OAuth2Token;
    try {
      token = await this.token(target.endpointId, auth.oauth2, false);
    } catch (error) {
      return { request: null, response: noResponse(`oauth2 token: ${(error as Error).message}`) };
    }
    const first = await this.post({ ...input, bearerToken: token }, target);
    if (first.response.statusCode !== 401) return first;
    // The token may have been revoked before its expiry: one more try with a fresh one.
    try {
      token = await this.token(target.endpointId, auth.oauth2, true);
    } catch {
      return first;
    }
    return this.post({ ...input, bearerToken: token }, target);
  }

  private async post(input: DeliveryRequestInput, target: EndpointTarget): Promise<SentRequest> {
    const request = buildDeliveryRequest(input);
    // The attempt's span (active here) reaches the receiver as `traceparent`, as Standard
    // Webhooks and Svix send it; recorded with the attempt's other request headers.
    Object.assign(request.headers, traceHeaders());
    const response = await this.client.post({
      url: target.url,
      body: request.body,
      headers: request.headers,
      timeoutMs: target.timeoutMs,
      signal: target.signal,
      clientCertificate: target.mtlsClientCert ?? undefined,
    });
    return { request, response };
  }

  /** The cached token unless it is expired, replaced by a new config, or `fresh` is asked. */
  private token(endpointId: string, config: OAuth2Config, fresh: boolean): Promise<OAuth2Token> {
    const key = createHash('sha256').update(JSON.stringify(config)).digest('hex');
    const cached = this.tokens.get(endpointId);
    if (cached && cached.key === key && !fresh) {
      return cached.token.then((token) =>
        token.expiresAt > Date.now() ? token : this.token(endpointId, config, true),
      );
    }
    const token = this.fetchToken(config);
    this.tokens.set(endpointId, { key, token });
    // A failed fetch is not cached: the next attempt asks again.
    token.catch(() => {
      if (this.tokens.get(endpointId)?.token === token) this.tokens.delete(endpointId);
    });
    return token;
  }

  private async fetchToken(config: OAuth2Config): Promise<OAuth2Token> {
    const response = await this.client.post({
      url: config.url,
      body: Buffer.from(oauth2TokenRequestBody(config), 'utf8'),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      timeoutMs: TOKEN_TIMEOUT_MS,
    });
    if (response.statusCode === null) throw new Error(response.error ?? 'no response');
    return oauth2TokenFromAnswer(config, response.statusCode, response.body, Date.now());
  }
}

function noResponse(error: string): WebhookResponse {
  return { statusCode: null, headers: {}, body: '', error, refused: false, ip: '', durationMs: 0 };
}
