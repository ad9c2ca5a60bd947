import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics.registry';
import { routeTemplate } from './route-template';

/** The HTTP request series, registered once per service. */
@Injectable()
export class HttpMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route' | 'status_class'>;

  constructor(metrics: MetricsRegistry) {
    this.requests = new Counter({
      name: 'caravan_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [metrics.registry],
    });
    this.duration = new Histogram({
      name: 'caravan_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route template and status class.',
      labelNames: ['method', 'route', 'status_class'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics.registry],
    });
  }
}

/**
 * Request rate and latency per route template (`/api/v1/projects/:projectID/events`, never
 * the concrete path, so label values stay few) and status code.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: HttpMetrics) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      // Unmatched requests share one label.
      const route = routeTemplate(request) ?? 'unmatched';
      const status = response.statusCode;
      this.metrics.requests.inc({ method: request.method, route, status: String(status) });
      this.metrics.duration.observe(
        { method: request.method, route, status_class: `${Math.floor(status / 100)}xx` },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    next();
  }
}
