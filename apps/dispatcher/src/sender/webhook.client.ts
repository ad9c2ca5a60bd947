import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { DispatcherSettings } from '@caravan/config';
import type { MtlsClientCert } from '@caravan/domain';
import got, { Got } from 'got';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { DISPATCHER_SETTINGS } from '../common/dispatcher.tokens';
import type { OutgoingHeaders } from './delivery-request.builder';
import { SsrfGuard } from '@caravan/domain';

export interface WebhookRequest {
  url: string;
  body: Buffer;
  headers: OutgoingHeaders;
  timeoutMs: number;
  /** Aborts the request (graceful shutdown past its bound). */
  signal?: AbortSignal;
  /** Presented on https connections (endpoints that require mutual TLS). */
  clientCertificate?: MtlsClientCert;
}

export interface WebhookResponse {
  /** Null when no response came back (refused, network error, timeout). */
  statusCode: number | null;
  headers: Record<string, string[]>;
  /** At most maxResponseBytes of the body, as UTF-8. */
  body: string;
  /** Why no response came back. */
  error: string | null;
  /** True when the SSRF guard refused the destination (nothing was sent). */
  refused: boolean;
  /** The address actually connected to. */
  ip: string;
  durationMs: number;
}

function headerRecord(headers: IncomingHttpHeaders): Record<string, string[]> {
  const record: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) record[name] = Array.isArray(value) ? value : [String(value)];
  }
  return record;
}

/**
 * POSTs webhooks with got: keep-alive agents, no redirects followed, no retries (the state
 * machine retries), never throws on HTTP errors, a per-request timeout, the response body
 * capped, and every connection's address vetted by the SSRF guard.
 */
@Injectable()
export class WebhookClient implements OnApplicationShutdown {
  private readonly httpAgent = new HttpAgent({
    keepAlive: true,
    maxSockets: 256,
  });
  private readonly httpsAgent = new HttpsAgent({
    keepAlive: true,
    maxSockets: 256,
  });
  private readonly guard: SsrfGuard;
  private readonly client: Got;

  constructor(@Inject(DISPATCHER_SETTINGS) private readonly settings: DispatcherSettings) {
    this.guard = new SsrfGuard(settings.ssrfAllowCidrs);
    this.client = got.extend({
      agent: { http: this.httpAgent, https: this.httpsAgent },
      followRedirect: false,
      throwHttpErrors: false,
      retry: { limit: 0 },
      dnsLookup: this.guard.lookup as never,
    });
  }

  async post(request: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const elapsed = () => Math.max(0, Math.round(performance.now() - started));
    const refusal = this.guard.refuseUrl(request.url);
    if (refusal) return failed(refusal, true, 0);

    const stream = this.client.stream.post(request.url, {
      body: ownBytes(request.body),
      headers: request.headers,
      timeout: { request: request.timeoutMs },
      signal: request.signal,
      ...(request.clientCertificate
        ? { https: { certificate: request.clientCertificate.client_cert, key: request.clientCertificate.client_key } }
        : {}),
    });
    let response: { statusCode: number; headers: IncomingHttpHeaders; ip?: string } | undefined;
    stream.once('response', (incoming: { statusCode: number; headers: IncomingHttpHeaders; ip?: string }) => {
      response = incoming;
    });
    const chunks: Buffer[] = [];
    let kept = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const room = this.settings.maxResponseBytes - kept;
        if (room > 0) {
          const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
          chunks.push(piece);
          kept += piece.length;
        }
        if (kept >= this.settings.maxResponseBytes) break;
      }
    } catch (error) {
      if (!response) {
        const cause = error as Error & { code?: string };
        return failed(describeError(cause), cause.code === 'ERR_CARAVAN_SSRF', elapsed());
      }
      // The body broke off after the status arrived: the status still stands.
    } finally {
      stream.destroy();
    }
    if (!response) return failed('no response', false, elapsed());
    return {
      statusCode: response.statusCode,
      headers: headerRecord(response.headers),
      body: Buffer.concat(chunks).toString('utf8'),
      error: null,
      refused: false,
      ip: response.ip ?? '',
      durationMs: elapsed(),
    };
  }

  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/**
 * The body in a buffer that owns its memory. got snapshots the body with structuredClone
 * before its hooks run, and that copies the whole ArrayBuffer behind a view: for a small
 * Buffer, Node's 8 KB allocation pool, on every request.
 */
export function ownBytes(body: Buffer): Buffer {
  if (body.byteOffset === 0 && body.buffer.byteLength === body.length) return body;
  const owned = Buffer.from(new ArrayBuffer(body.length));
  body.copy(owned);
  return owned;
}

function describeError(error: Error & { code?: string }): string {
  if (error.code === 'ERR_CARAVAN_SSRF') return error.message;
  return error.code && !error.message.includes(error.code) ? `${error.code}: ${error.message}` : error.message;
}

function failed(error: string, refused: boolean, durationMs: number): WebhookResponse {
  return {
    statusCode: null,
    headers: {},
    body: '',
    error,
    refused,
    ip: '',
    durationMs,
  };
}
