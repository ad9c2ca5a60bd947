import { routeTemplate } from './route-template';

describe('routeTemplate', () => {
  it('joins the router base and the matched template', () => {
    expect(routeTemplate({ baseUrl: '', route: { path: '/api/v1/projects/:projectID/events' } })).toBe(
      '/api/v1/projects/:projectID/events',
    );
    expect(routeTemplate({ baseUrl: '/portal', route: { path: '/events/:id' } })).toBe('/portal/events/:id');
  });

  it('is null when nothing matched, or only a catch-all a middleware was mounted on', () => {
    expect(routeTemplate({})).toBeNull();
    expect(routeTemplate({ route: { path: '{/*splat}' } })).toBeNull();
    expect(routeTemplate({ route: { path: '*path' } })).toBeNull();
    expect(routeTemplate({ route: {} })).toBeNull();
  });
});
