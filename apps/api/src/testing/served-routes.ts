import type { INestApplication } from '@nestjs/common';

/**
 * Every route the app serves, as `METHOD /path/{param}`, read from the live Express router
 * (so a new controller route shows up without anyone listing it). Middleware mounts and the
 * OpenAPI document's own routes are left out.
 */
export function servedRoutes(app: INestApplication): string[] {
  const router = app.getHttpAdapter().getInstance().router as {
    stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }>;
  };
  return router.stack
    .filter((layer) => layer.route)
    .flatMap((layer) =>
      Object.keys(layer.route?.methods ?? {}).map(
        (method) => `${method.toUpperCase()} ${(layer.route?.path ?? '').replace(/:(\w+)/g, '{$1}')}`,
      ),
    )
    .filter(
      (route) => !route.includes('*') && !route.includes('/api/v1/docs') && !route.endsWith('/api/v1/openapi.json'),
    )
    .sort();
}
