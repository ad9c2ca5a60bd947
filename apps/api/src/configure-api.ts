import type { INestApplication } from '@nestjs/common';
import type { IncomingMessage, Server } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { CaravanConfig } from '@caravan/config';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { IgnoredFieldsInterceptor } from './common/ignored-fields.interceptor';
import { ApiKeyAuthenticator } from './common/auth/api-key-authenticator.service';
import { PortalGuard } from './portal/portal.guard';
import {
  authenticateBeforeBody,
  checkBodyShape,
  checkUrlText,
  isEventRoute,
  MAX_BODY_BYTES,
  MAX_EVENT_BODY_BYTES,
} from './common/request-body.limits';
import { createValidationPipe } from './common/validation.pipe';
import { parsesUnlessIngest } from './ingest/ingest-body';
import { serveDashboard } from './dashboard/dashboard-assets';

/** Time to receive a request's headers. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** Time to receive a whole request (a 100 MB event body at about 2 MB/s). */
export const REQUEST_TIMEOUT_MS = 60_000;
/** An idle keep-alive connection is closed after this. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** A socket with no traffic for this long is closed. */
export const IDLE_TIMEOUT_MS = 30_000;

/**
 * Everything the api needs on top of its module, shared by main.ts and the tests so both
 * run the same stack: error envelope, validation, body limits, the OpenAPI document and,
 * when its built assets are present, the dashboard at `/`.
 */
export function configureApi(
  app: INestApplication,
  config: CaravanConfig,
  options: { dashboardDir?: string } = {},
): void {
  const express = app as NestExpressApplication;
  // Authentication first: a request without a valid key is refused before its body is read.
  express.use(checkUrlText);
  express.use(authenticateBeforeBody(app.get(ApiKeyAuthenticator), app.get(PortalGuard)));
  // /ingest reads its own stream under the source project's limit, so the parsers skip it.
  // Only the event routes take large bodies; no route takes compressed ones (inflating is work
  // and memory an unauthenticated or hostile caller could make the api spend).
  express.useBodyParser('json', {
    limit: MAX_EVENT_BODY_BYTES,
    inflate: false,
    type: (request: IncomingMessage) => isEventRoute(request) && parsesUnlessIngest('application/json')(request),
  });
  express.useBodyParser('json', {
    limit: MAX_BODY_BYTES,
    inflate: false,
    type: parsesUnlessIngest('application/json'),
  });
  express.useBodyParser('urlencoded', {
    extended: true,
    limit: MAX_BODY_BYTES,
    inflate: false,
    type: parsesUnlessIngest('application/x-www-form-urlencoded'),
  });
  express.use(checkBodyShape);
  express.disable('x-powered-by');
  // Convoy's API sends no ETag and no client revalidates one: it cost a SHA-1 of every JSON answer.
  express.set('etag', false);
  // Node's defaults let a slow client hold a request for 5 minutes.
  const server = app.getHttpServer() as Server;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.setTimeout(IDLE_TIMEOUT_MS);
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useGlobalInterceptors(new IgnoredFieldsInterceptor());
  app.useGlobalPipes(createValidationPipe());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Caravan')
      .setDescription("Caravan's REST API: Convoy's /api/v1, plus /ingest for incoming webhooks.")
      .setVersion('0.1.0')
      .addServer(config.api.publicUrl)
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/v1/docs', app, document, { jsonDocumentUrl: 'api/v1/openapi.json' });
  if (options.dashboardDir) serveDashboard(express, options.dashboardDir);
}
