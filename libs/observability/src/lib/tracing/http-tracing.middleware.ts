import { Injectable, NestMiddleware } from '@nestjs/common';
import { context, trace } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { SpanKind, SpanStatusCode, contextFromHeaders, isTracing, startSpan } from './trace-context';
import { routeTemplate } from '../route-template';

/** Requests that get a server span: the REST API (portal included) and /ingest, not probes, scrapes or the dashboard's files. */
const TRACED = /^\/(api|ingest)\//;

/**
 * One SERVER span per traced request, made active for the handler, so the intake and
 * everything it rings are its children. A producer that sends `traceparent` has its trace
 * continued. Named by the route template once it is known (`POST /api/v1/projects/:projectID/events`).
 */
@Injectable()
export class HttpTracingMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    const path = request.originalUrl.split('?')[0] ?? '';
    if (!isTracing() || !TRACED.test(path)) return next();
    const parent = contextFromHeaders(request.headers);
    const span = startSpan(`${request.method} ${path}`, {
      kind: SpanKind.SERVER,
      parent,
      attributes: { 'http.request.method': request.method, 'url.path': path },
    });
    if (!span) return next();
    response.once('finish', () => {
      const route = routeTemplate(request);
      if (route) {
        span.updateName(`${request.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', response.statusCode);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  }
}
