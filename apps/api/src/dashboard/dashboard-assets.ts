import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';

/** Paths that are the api's own: never answered with the dashboard, even when nothing matches. */
const API_PATHS = /^\/(api|ingest|healthz|readyz|metrics)(\/|$)/;

/**
 * Serves the dashboard's built assets at `/` when `dir` holds them, with the single-page
 * fallback (index.html) for any other GET the api does not own, so a deep link such as
 * /projects/x/events loads the app. API routes are untouched; without the assets (a bare
 * api build, the api's own tests) nothing is mounted.
 */
export function serveDashboard(app: NestExpressApplication, dir: string): boolean {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return false;
  // Hashed file names under /assets never change: cache them for good; index.html never.
  const assets = express.static(dir, {
    index: false,
    fallthrough: true,
    setHeaders: (response, path) => {
      response.setHeader(
        'Cache-Control',
        path.includes(`${join(dir, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || API_PATHS.test(request.path)) return next();
    assets(request, response, () => {
      // A missing file with an extension is a 404, not the app (a stale asset URL must fail loudly).
      if (/\.[a-z0-9]+$/i.test(request.path)) return next();
      response.setHeader('Cache-Control', 'no-cache');
      response.sendFile(index);
    });
  });
  return true;
}
