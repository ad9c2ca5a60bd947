import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';

/** The response header naming what a request sent that Caravan ignored (Convoy ignores it silently). */
export const IGNORED_FIELDS_HEADER = 'Caravan-Ignored-Fields';

const logger = new Logger('IgnoredFields');

/**
 * The unknown body fields (dotted paths) and query parameters of one request. Each addition
 * updates the response header at once, so it is there on a 400 too, and is logged at debug
 * level so a typo stays discoverable.
 */
export class IgnoredFields {
  private readonly names = new Set<string>();

  constructor(
    private readonly request: Request,
    private readonly response: Response,
  ) {}

  add(names: readonly string[]): void {
    const fresh = names.filter((name) => !this.names.has(name));
    if (fresh.length === 0) return;
    fresh.forEach((name) => this.names.add(name));
    if (!this.response.headersSent) this.response.setHeader(IGNORED_FIELDS_HEADER, [...this.names].join(','));
    logger.debug(
      {
        method: this.request.method,
        route: (this.request.route as { path?: string } | undefined)?.path ?? this.request.path,
        project_id: this.request.params?.['projectID'],
        ignored_fields: fresh,
      },
      'ignored unknown fields',
    );
  }
}

const storage = new AsyncLocalStorage<IgnoredFields>();

/** Runs `work` with `fields` as the current request's collector (see IgnoredFieldsInterceptor). */
export function withIgnoredFields<T>(fields: IgnoredFields, work: () => T): T {
  return storage.run(fields, work);
}

/** Records names as ignored for the current request; a no-op outside one (e.g. a unit test of a pipe). */
export function recordIgnoredFields(names: readonly string[]): void {
  if (names.length > 0) storage.getStore()?.add(names);
}
