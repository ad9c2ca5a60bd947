import { parseRequestLocation, readRequestLocation, RequestView } from './request-location';

describe('request locations (Convoy syntax)', () => {
  it.each([
    ['request.header.X-GitHub-Event', { part: 'header', path: ['X-GitHub-Event'] }],
    ['req.header.X-Id', { part: 'header', path: ['X-Id'] }],
    ['request.Header.X-Id', { part: 'header', path: ['X-Id'] }],
    ['request.headers.X-Id', { part: 'header', path: ['X-Id'] }],
    ['request.body.data.id', { part: 'body', path: ['data', 'id'] }],
    ['req.Body.id', { part: 'body', path: ['id'] }],
    ['request.query.ref', { part: 'query', path: ['ref'] }],
    ['request.QueryParam.ref', { part: 'query', path: ['ref'] }],
    ['request.header.X.Dotted', { part: 'header', path: ['X.Dotted'] }],
    ['request.body.items.0.id', { part: 'body', path: ['items', '0', 'id'] }],
  ])('parses %s', (text, expected) => {
    expect(parseRequestLocation(text)).toEqual(expected);
  });

  it.each([
    'headers.X-Id',
    'request.header',
    'request.header.',
    'request.body.a..b',
    'request.query_params.ref',
    'request.cookie.x',
    'response.header.X',
    'request.header.X Id',
    '',
    42,
    null,
  ])('refuses %p', (text) => {
    expect(parseRequestLocation(text)).toBeNull();
  });

  const view: RequestView = {
    header: (name) => ({ 'x-github-event': 'push', 'x-multi': 'a, b' })[name.toLowerCase()],
    query: (name) => ({ ref: 'main', empty: '' })[name],
    body: { id: 42, data: { id: 'abc', nested: { a: 1 } }, items: [{ id: 'first' }], none: null, flag: false },
  };
  const read = (text: string) => {
    const location = parseRequestLocation(text);
    if (!location) throw new Error(`not a location: ${text}`);
    return readRequestLocation(location, view);
  };

  it('reads headers case-insensitively, query parameters and body paths', () => {
    expect(read('request.header.X-GitHub-Event')).toBe('push');
    expect(read('req.Header.X-Multi')).toBe('a, b');
    expect(read('request.query.ref')).toBe('main');
    expect(read('request.QueryParam.ref')).toBe('main');
    expect(read('request.body.id')).toBe('42');
    expect(read('request.body.data.id')).toBe('abc');
    expect(read('request.body.items.0.id')).toBe('first');
    expect(read('request.body.flag')).toBe('false');
  });

  it('renders objects as JSON', () => {
    expect(read('request.body.data.nested')).toBe('{"a":1}');
  });

  it('answers undefined for what is absent, null or empty', () => {
    expect(read('request.header.X-Missing')).toBeUndefined();
    expect(read('request.query.empty')).toBeUndefined();
    expect(read('request.query.missing')).toBeUndefined();
    expect(read('request.body.none')).toBeUndefined();
    expect(read('request.body.data.missing.deeper')).toBeUndefined();
    expect(read('request.body.toString')).toBeUndefined();
  });

  it('reads nothing from a body that is not JSON', () => {
    const location = parseRequestLocation('request.body.id');
    if (!location) throw new Error('unreachable');
    expect(readRequestLocation(location, { ...view, body: undefined })).toBeUndefined();
  });
});
