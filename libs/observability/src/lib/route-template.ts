/**
 * The route template a request matched (`/api/v1/projects/:projectID/events`), never the
 * concrete path, so metric labels, span names and log fields stay few; null when no route of
 * the service matched. A catch-all template (`{/*splat}`, `*path`) is what a middleware
 * registered for every path leaves in `req.route` (the logger's, for one), not a route that
 * answered, so it counts as unmatched too.
 */
export function routeTemplate(request: { baseUrl?: string; route?: unknown }): string | null {
  const template = (request.route as { path?: unknown } | undefined)?.path;
  if (typeof template !== 'string' || template === '' || template.includes('*')) return null;
  return `${request.baseUrl ?? ''}${template}`;
}
