import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { CaravanConfig } from '@caravan/config';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { createValidationPipe } from './common/validation.pipe';
import { parsesUnlessIngest } from './ingest/ingest-body';
import { serveDashboard } from './dashboard/dashboard-assets';

/** Largest JSON body the parser reads; each project's max_payload_read_size applies below it. */
export const MAX_JSON_BODY_BYTES = 100 * 1024 * 1024;

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
  // /ingest reads its own stream under the source project's limit, so the parsers skip it.
  express.useBodyParser('json', { limit: MAX_JSON_BODY_BYTES, type: parsesUnlessIngest('application/json') });
  express.useBodyParser('urlencoded', {
    extended: true,
    type: parsesUnlessIngest('application/x-www-form-urlencoded'),
  });
  express.disable('x-powered-by');
  app.useGlobalFilters(new ApiExceptionFilter());
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
