import {
  BadRequestException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  NotFoundException,
  Optional,
  UnauthorizedException,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import {
  CLOCK,
  Clock,
  parseRequestLocation,
  readRequestLocation,
  RequestView,
  SourceProvider,
  SourceType,
  systemClock,
} from '@caravan/domain';
import { AcceptedEventResult, EventRejectedError, IntakeService } from '@caravan/intake';
import { SourceEntity, SourcesRepository } from '@caravan/persistence';
import { RequestRateLimiter } from '../common/rate-limit/request-rate.limiter';
import { readBodyWithin } from './ingest-body';
import { CrcRateLimiter } from './crc-rate.limiter';
import { credentialHeaders, isTwitterCrcToken, twitterCrcResponse, verifySourceRequest } from './source-verifier';

export interface IngestOutcome extends AcceptedEventResult {
  source: SourceEntity;
}

/** The request as source locations read it (idempotency_keys, event_type_location). */
function requestView(request: IncomingMessage, body: unknown, query: URLSearchParams): RequestView {
  return {
    header: (name) => {
      const value = request.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(',') : value;
    },
    query: (name) => query.get(name) ?? undefined,
    body,
  };
}

/** The longest event type the API accepts (event_type on POST /events); longer values are not types. */
const MAX_EVENT_TYPE_LENGTH = 255;

/** The value at a stored location; a location that no longer parses reads as nothing. */
function lookup(text: string, view: RequestView): string | undefined {
  const location = parseRequestLocation(text);
  return location ? readRequestLocation(location, view) : undefined;
}

/** Original header names (first spelling seen) → every value, from the raw header list. */
function originalHeaders(request: IncomingMessage, skip: Set<string>): Record<string, string[]> {
  const byLower = new Map<string, { name: string; values: string[] }>();
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i];
    const lower = name.toLowerCase();
    if (skip.has(lower)) continue;
    const entry = byLower.get(lower) ?? { name, values: [] };
    entry.values.push(request.rawHeaders[i + 1]);
    byLower.set(lower, entry);
  }
  return Object.fromEntries([...byLower.values()].map(({ name, values }) => [name, values]));
}

/** A form's fields as a JSON object: one value → string, repeated → array of strings. */
function formObject(entries: Iterable<[string, string]>): Record<string, string | string[]> {
  const object: Record<string, string | string[]> = {};
  for (const [name, value] of entries) {
    const current = object[name];
    object[name] = current === undefined ? value : Array.isArray(current) ? [...current, value] : [current, value];
  }
  return object;
}

/**
 * Webhooks from third parties at `/ingest/{maskId}`: find the live http source, read the body
 * within the project's limit, verify it with the source's verifier over the exact bytes,
 * and hand it to the intake as a `source` event.
 */
@Injectable()
export class IngestService {
  private readonly crcLimiter = new CrcRateLimiter();

  constructor(
    private readonly sources: SourcesRepository,
    private readonly intake: IntakeService,
    private readonly limiter: RequestRateLimiter,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async receive(maskId: string, request: IncomingMessage): Promise<IngestOutcome> {
    const source = await this.liveSource(maskId);
    // Counted before the body is read: a flood is refused at the cost of one upsert.
    await this.limiter.checkSource(source.id);
    const project = await this.intake.project(source.projectId);
    const bytes = await readBodyWithin(request, project.config.max_payload_read_size);
    if (!verifySourceRequest(source, bytes, request.headers)) {
      throw new UnauthorizedException('webhook verification failed');
    }
    const url = new URL(request.url ?? '/', 'http://ingest.invalid');
    const { raw, body } = await this.normalise(bytes, String(request.headers['content-type'] ?? ''));
    IntakeService.assertWithinLimit(project, raw.length);
    const view = requestView(request, body, url.searchParams);
    const parts = source.idempotencyKeys
      .map((path) => lookup(path, view))
      .filter((value): value is string => value !== undefined);
    const accepted = await this.intake.accept({
      project,
      route: { routing: 'source', sourceId: source.id },
      // The provider's own type (e.g. GitHub's X-GitHub-Event) when the source says where it is.
      eventType: this.eventType(source, view),
      raw,
      headers: originalHeaders(request, credentialHeaders(source)),
      idempotencyKey: parts.length > 0 ? parts.join(',') : null,
      urlQueryParams: url.search.replace(/^\?/, ''),
      acknowledgedAt: new Date(this.clock.now()),
    });
    return { ...accepted, source };
  }

  /** The provider's type at the source's event_type_location, else the mask id (Convoy's default). */
  private eventType(source: SourceEntity, view: RequestView): string {
    const found = source.eventTypeLocation ? lookup(source.eventTypeLocation, view) : undefined;
    return found && found.length <= MAX_EVENT_TYPE_LENGTH ? found : source.maskId;
  }

  /** Twitter's CRC challenge: `{"response_token":"sha256=<base64 HMAC-SHA256(secret, crc_token)>"}`. */
  async crc(maskId: string, crcToken: string | undefined): Promise<{ response_token: string }> {
    const source = await this.liveSource(maskId);
    if (!crcToken) {
      throw new BadRequestException({
        status: false,
        message: 'crc_token is required',
        errors: [{ field: 'crc_token', message: 'crc_token is required' }],
      });
    }
    const secret = source.verifier?.hmac?.secret;
    if (source.provider !== SourceProvider.Twitter || !secret) {
      throw new BadRequestException('CRC challenges are answered only for twitter sources with an hmac secret');
    }
    if (!isTwitterCrcToken(crcToken)) {
      const message = 'crc_token must be a token as Twitter sends it (at most 128 base64 characters, not JSON)';
      throw new BadRequestException({ status: false, message, errors: [{ field: 'crc_token', message }] });
    }
    if (!this.crcLimiter.admit(source.id)) {
      throw new HttpException(
        { status: false, message: 'too many CRC challenges for this source; try again in a minute' },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    await this.sources.recordCrcVerified(source.projectId, source.id);
    return { response_token: twitterCrcResponse(secret, crcToken) };
  }

  private async liveSource(maskId: string): Promise<SourceEntity> {
    const source = await this.sources.findByMaskId(maskId);
    if (!source || source.isDisabled || source.type !== SourceType.Http) {
      throw new NotFoundException(`no active source at /ingest/${maskId}`);
    }
    return source;
  }

  /**
   * The event's bytes: the exact request body, except that form-encoded and multipart
   * bodies become a JSON object of their fields (the JSON serialisation is then the raw
   * body; multipart files are not kept). JSON bodies must parse.
   */
  private async normalise(bytes: Buffer, contentType: string): Promise<{ raw: Buffer; body: unknown }> {
    const mediaType = contentType.split(';')[0].trim().toLowerCase();
    if (mediaType === 'application/x-www-form-urlencoded') {
      const body = formObject(new URLSearchParams(bytes.toString('utf8')));
      return { raw: Buffer.from(JSON.stringify(body), 'utf8'), body };
    }
    if (mediaType === 'multipart/form-data') {
      let form: FormData;
      try {
        form = await new Response(new Uint8Array(bytes), { headers: { 'content-type': contentType } }).formData();
      } catch (error) {
        throw new BadRequestException(`request body is not valid multipart/form-data: ${(error as Error).message}`);
      }
      const fields: Array<[string, string]> = [];
      form.forEach((value, name) => {
        if (typeof value === 'string') fields.push([name, value]);
      });
      const body = formObject(fields);
      return { raw: Buffer.from(JSON.stringify(body), 'utf8'), body };
    }
    if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
      try {
        return { raw: bytes, body: JSON.parse(bytes.toString('utf8')) };
      } catch (error) {
        throw new EventRejectedError('invalid', `request body is not valid JSON: ${(error as Error).message}`);
      }
    }
    return { raw: bytes, body: undefined };
  }
}
