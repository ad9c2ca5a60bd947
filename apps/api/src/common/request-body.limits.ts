import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage } from 'node:http';
import type { ApiKeyAuthenticator } from './auth/api-key-authenticator.service';
import type { AuthenticatedRequest } from './auth/principal';

/** Checks a portal link token (the portal's guard), rejecting with a 401 as an API key check does. */
export interface PortalTokenAuthenticator {
  authenticate(authorization: string | undefined): Promise<unknown>;
}

/** Largest JSON body of the event-creating routes; each project's max_payload_read_size applies below it. */
export const MAX_EVENT_BODY_BYTES = 100 * 1024 * 1024;
/** Largest body of every other route: configuration objects, filters, replays. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Deepest nesting of objects and arrays in a body. */
export const MAX_BODY_DEPTH = 64;
/** Most members (keys plus array elements, at every level) in a body of a non-event route. */
export const MAX_BODY_MEMBERS = 20_000;
/** Most members in an event body: `data` is free-form, but bounded. */
export const MAX_EVENT_BODY_MEMBERS = 2_000_000;
/** Most keys at the top level of any body (the largest DTO has a few dozen fields). */
export const MAX_TOP_LEVEL_KEYS = 200;

/** Convoy's bulk filter routes take a JSON array of filters; every other body is an object. */
const ARRAY_BODY_ROUTE =
  /^\/api\/v1\/projects\/[^/?]+\/subscriptions\/[^/?]+\/filters\/(?:bulk|bulk_update)\/?(?:\?|$)/;

/** Customer portal routes authenticate with a portal link's token, not an API key. */
const PORTAL_ROUTE = /^\/api\/v1\/portal(?:[/?]|$)/;

const EVENT_ROUTE = /^\/api\/v1\/projects\/[^/?]+\/events(?:\/(?:fanout|broadcast|dynamic))?\/?(?:\?|$)/;

/** POST of a new event (single, fan-out, broadcast, dynamic): the routes that take large bodies. */
export function isEventRoute(request: IncomingMessage): boolean {
  return request.method === 'POST' && EVENT_ROUTE.test(request.url ?? '');
}

function hasBody(request: IncomingMessage): boolean {
  return Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
}

/**
 * Authenticates /api/v1 requests that carry a body BEFORE the body is read, so a caller
 * without a valid key costs no buffering or parsing (every /api/v1 route needs a key, or on the
 * portal routes a portal link token; the route's guard still decides what it may touch). The connection is closed with the
 * 401/413 instead of draining an unread body.
 */
export function authenticateBeforeBody(authenticator: ApiKeyAuthenticator, portal: PortalTokenAuthenticator) {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (!(request.url ?? '').startsWith('/api/v1/') || !hasBody(request)) {
      next();
      return;
    }
    const limit = isEventRoute(request) ? MAX_EVENT_BODY_BYTES : MAX_BODY_BYTES;
    const declared = Number(request.headers['content-length']);
    const authenticated = PORTAL_ROUTE.test(request.url ?? '')
      ? portal.authenticate(request.headers.authorization)
      : authenticator.authenticate(request.headers.authorization).then((principal) => {
          (request as unknown as AuthenticatedRequest).principal = principal;
        });
    authenticated.then(
      () => {
        if (Number.isFinite(declared) && declared > limit) {
          response.setHeader('Connection', 'close');
          next(new PayloadTooLargeException(`request body is ${declared} bytes, over the ${limit} byte limit`));
          return;
        }
        next();
      },
      (error: unknown) => {
        response.setHeader('Connection', 'close');
        next(error);
      },
    );
  };
}

/**
 * Refuses a parsed JSON body that is not an object, nests deeper than MAX_BODY_DEPTH or holds
 * more members than its route allows, before validation and transformation touch it: their
 * cost grows with the body's shape (one error per unknown key, one instance per element),
 * and deep nesting overflows recursive walkers. Iterative, so it cannot overflow itself.
 */
export function checkBodyShape(request: Request, _response: Response, next: NextFunction): void {
  const body: unknown = request.body;
  if (!(request.url ?? '').startsWith('/api/v1/') || body === undefined || !request.is('application/json')) {
    next();
    return;
  }
  const arrayAllowed = ARRAY_BODY_ROUTE.test(request.url ?? '');
  if (typeof body !== 'object' || body === null || (Array.isArray(body) && !arrayAllowed)) {
    next(bodyRefused('the request body must be a JSON object'));
    return;
  }
  const topLevelKeys = Object.keys(body).length;
  if (topLevelKeys > MAX_TOP_LEVEL_KEYS) {
    next(bodyRefused(`the request body has ${topLevelKeys} fields, more than ${MAX_TOP_LEVEL_KEYS}`));
    return;
  }
  const maxMembers = isEventRoute(request) ? MAX_EVENT_BODY_MEMBERS : MAX_BODY_MEMBERS;
  let members = 0;
  const stack: Array<[unknown, number, string]> = [[body, 1, '']];
  while (stack.length > 0) {
    const [value, depth, path] = stack.pop() as [unknown, number, string];
    if (typeof value === 'string') {
      if (!isStorableText(value)) {
        next(fieldRefused(path, `${path} contains a NUL character or an unpaired surrogate`));
        return;
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_BODY_DEPTH) {
      next(bodyRefused(`the request body nests deeper than ${MAX_BODY_DEPTH} levels`));
      return;
    }
    const entries: Array<[string, unknown]> = Array.isArray(value)
      ? value.map((child, index) => [`${path}[${index}]`, child])
      : Object.entries(value).map(([key, child]) => [path ? `${path}.${key}` : key, child]);
    members += entries.length;
    if (members > maxMembers) {
      next(bodyRefused(`the request body has more than ${maxMembers} keys and array elements`));
      return;
    }
    for (const [childPath, child] of entries) {
      if (!Array.isArray(value) && !isStorableText(childPath)) {
        next(
          fieldRefused(
            path || 'body',
            `a key of ${path || 'the body'} contains a NUL character or an unpaired surrogate`,
          ),
        );
        return;
      }
      if (typeof child === 'object' || typeof child === 'string') stack.push([child, depth + 1, childPath]);
    }
  }
  next();
}

/**
 * Refuses /api/v1 and /ingest URLs whose path or query decodes to text Postgres cannot store (NUL) or
 * that is not valid UTF-16 (an unpaired surrogate): a 400 instead of a driver error.
 */
export function checkUrlText(request: Request, _response: Response, next: NextFunction): void {
  const url = request.url ?? '';
  if (!(url.startsWith('/api/v1/') || url.startsWith('/ingest/')) || !url.includes('%')) {
    next();
    return;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.replace(/\+/g, ' '));
  } catch {
    next(fieldRefused('url', 'the request URL is not valid percent-encoded UTF-8'));
    return;
  }
  if (!isStorableText(decoded)) {
    next(fieldRefused('url', 'the request URL contains a NUL character or an unpaired surrogate'));
    return;
  }
  next();
}

/** No NUL (Postgres text and jsonb refuse it) and no unpaired surrogate (not valid Unicode). */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function fieldRefused(field: string, message: string): BadRequestException {
  return new BadRequestException({ status: false, message, errors: [{ field, message }] });
}

function bodyRefused(message: string): BadRequestException {
  return new BadRequestException({ status: false, message, errors: [{ field: 'body', message }] });
}
