import { ArgumentsHost, BadRequestException, Logger } from '@nestjs/common';
import { ApiExceptionFilter } from './api-exception.filter';

/** The filter's own decisions, with a stand-in for Express's response (pure logic). */
function run(exception: unknown) {
  const sent: { status?: number; body?: any; headers: Record<string, string> } = { headers: {} };
  const response = {
    headersSent: false,
    setHeader: (name: string, value: string) => (sent.headers[name] = value),
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
    },
  };
  const host = {
    switchToHttp: () => ({
      getRequest: () => ({ method: 'POST', path: '/api/v1/projects/p/events' }),
      getResponse: () => response,
    }),
  } as unknown as ArgumentsHost;
  new ApiExceptionFilter().catch(exception, host);
  return sent;
}

describe('ApiExceptionFilter', () => {
  let logged: Array<{ fields: Record<string, unknown>; message: unknown }>;

  beforeEach(() => {
    logged = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((fields: unknown, message: unknown) => {
      logged.push({ fields: fields as Record<string, unknown>, message });
    });
  });

  afterEach(() => jest.restoreAllMocks());

  it('answers an unexpected error with 500 and an error id that is also in the log, and nothing else', () => {
    const error = new Error('secret internals: password=hunter2');
    const sent = run(error);
    expect(sent.status).toBe(500);
    expect(sent.body.status).toBe(false);
    expect(sent.body.error_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(sent.body.message).toBe(`internal error (error id ${sent.body.error_id})`);
    expect(JSON.stringify(sent.body)).not.toContain('hunter2');
    // The error id, the request and the error (its stack) are fields of the line.
    expect(logged).toEqual([
      {
        fields: expect.objectContaining({
          error_id: sent.body.error_id,
          method: 'POST',
          path: '/api/v1/projects/p/events',
          err: error,
        }),
        message: 'internal error',
      },
    ]);
  });

  it('never puts SQL in a response', () => {
    const sent = run(new Error('syntax error at or near "x" in SELECT * FROM api_keys WHERE x = $1'));
    expect(sent.status).toBe(500);
    expect(JSON.stringify(sent.body)).not.toMatch(/SELECT|api_keys/);
  });

  it('answers 503 with Retry-After when Postgres is unreachable', () => {
    const sent = run(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    expect(sent.status).toBe(503);
    expect(sent.headers['Retry-After']).toBe('5');
    expect(sent.body).toEqual({ status: false, message: 'the database is unavailable; retry later' });
  });

  it('keeps the envelope of validation errors as the pipe built it', () => {
    const body = {
      status: false,
      message: 'name must be a string',
      errors: [{ field: 'name', message: 'name must be a string' }],
    };
    const sent = run(new BadRequestException(body));
    expect(sent.status).toBe(400);
    expect(sent.body).toEqual(body);
  });

  it('answers a body-parser limit error with 413', () => {
    const sent = run(Object.assign(new Error('request entity too large'), { type: 'entity.too.large', limit: 100 }));
    expect(sent.status).toBe(413);
    expect(sent.body.message).toContain('100 byte limit');
  });
});
