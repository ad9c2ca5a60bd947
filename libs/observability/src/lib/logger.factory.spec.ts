import { Logger as NestLogger } from '@nestjs/common';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger as PinoNestLogger, PinoLogger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import pinoHttp from 'pino-http';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { logContextFields } from './log-context';
import {
  createRootLogger,
  httpLoggerOptions,
  LogSettings,
  loggerModuleParams,
  pinoLevel,
  pinoOptions,
  resolveLogFormat,
} from './logger.factory';
import { REDACTED } from './log-redaction';
import { inSpan, markTracingEnabled } from './tracing/trace-context';

type Line = Record<string, any>;

/** A pino destination that keeps each JSON line, parsed. */
function capture(): DestinationStream & { lines: Line[]; text: () => string } {
  const raw: string[] = [];
  return {
    raw,
    get lines() {
      return raw.map((line) => JSON.parse(line) as Line);
    },
    text: () => raw.join(''),
    write(line: string) {
      raw.push(line);
    },
  } as unknown as DestinationStream & { lines: Line[]; text: () => string };
}

const SETTINGS: LogSettings = { service: 'dispatcher', level: 'log', format: 'json' };

describe('logger configuration', () => {
  describe('redaction', () => {
    const secrets = {
      authorization: 'Bearer CO.apikeymask.apikeysecret-1',
      cookie: 'session=cookie-secret-2',
      endpointSecret: 'endpoint-signing-secret-3',
      endpointAuthHeader: 'endpoint-auth-header-value-4',
      basicAuthPassword: 'endpoint-basic-password-5',
      oauthClientSecret: 'oauth2-client-secret-6',
      mtlsKey: '-----BEGIN PRIVATE KEY----- mtls-7',
      hmacSecret: 'source-hmac-secret-8',
      verifierPassword: 'source-basic-password-9',
      verifierApiKey: 'source-api-key-value-10',
      sqsSecret: 'sqs-secret-key-11',
      googleServiceAccount: '{"private_key":"google-sa-12"}',
      kafkaPassword: 'kafka-sasl-password-13',
      amqpPassword: 'amqp-password-14',
      smtpPassword: 'smtp-password-15',
      portalToken: 'portal-token-16',
      projectApiKey: 'CO.projectkey.secret-17',
    };

    function logEverySecret(): Line[] {
      const out = capture();
      const logger = createRootLogger(SETTINGS, out);
      logger.info(
        { req: { method: 'POST', headers: { authorization: secrets.authorization, cookie: secrets.cookie } } },
        'request',
      );
      logger.info(
        {
          endpoint: {
            url: 'https://example.test/hook',
            secrets: [{ uid: 's1', value: secrets.endpointSecret }],
            authentication: {
              type: 'api_key',
              api_key: { header_name: 'X-Key', header_value: secrets.endpointAuthHeader },
            },
            basic_auth: { username: 'ann', password: secrets.basicAuthPassword },
            oauth2: { url: 'https://idp.test/token', client_id: 'caravan', client_secret: secrets.oauthClientSecret },
            mtls_client_cert: { client_cert: 'CERT', client_key: secrets.mtlsKey },
          },
        },
        'endpoint',
      );
      logger.info({ authentication: { api_key: { header_value: secrets.endpointAuthHeader } } }, 'top level');
      logger.info(
        {
          source: {
            verifier: {
              hmac: { header: 'X-Sig', hash: 'SHA256', secret: secrets.hmacSecret },
              basic_auth: { username: 'bob', password: secrets.verifierPassword },
              api_key: { header_name: 'X-Api', header_value: secrets.verifierApiKey },
            },
            pub_sub: {
              sqs: { access_key_id: 'AKIA', secret_key: secrets.sqsSecret, queue_name: 'q' },
              google: { project_id: 'p', service_account: secrets.googleServiceAccount },
              kafka: { brokers: ['b:9092'], auth: { username: 'u', password: secrets.kafkaPassword } },
              amqp: { host: 'h', auth: { user: 'u', password: secrets.amqpPassword } },
            },
          },
        },
        'source',
      );
      logger.info({ smtp: { host: 'mail', password: secrets.smtpPassword } }, 'smtp');
      logger.info({ token: secrets.portalToken, api_key: { key: secrets.projectApiKey } }, 'portal and key');
      return out.lines;
    }

    it('hides every kind of secret wherever it sits in a logged object', () => {
      const text = JSON.stringify(logEverySecret());
      for (const [name, value] of Object.entries(secrets)) {
        expect({ name, leaked: text.includes(value) }).toEqual({ name, leaked: false });
      }
    });

    it('replaces the value and keeps what is not secret', () => {
      const [request, endpoint, topLevel, source, smtp] = logEverySecret();
      expect(request.req.headers).toEqual({ authorization: REDACTED, cookie: REDACTED });
      expect(request.req.method).toBe('POST');
      expect(endpoint.endpoint.secrets).toBe(REDACTED);
      expect(endpoint.endpoint.url).toBe('https://example.test/hook');
      expect(endpoint.endpoint.oauth2).toMatchObject({ client_id: 'caravan', client_secret: REDACTED });
      expect(endpoint.endpoint.basic_auth).toEqual({ username: 'ann', password: REDACTED });
      expect(topLevel.authentication.api_key).toBe(REDACTED);
      expect(source.source.verifier.hmac).toEqual({ header: 'X-Sig', hash: 'SHA256', secret: REDACTED });
      expect(source.source.pub_sub.kafka.auth).toEqual({ username: 'u', password: REDACTED });
      expect(source.source.pub_sub.sqs).toMatchObject({ access_key_id: 'AKIA', queue_name: 'q', secret_key: REDACTED });
      expect(smtp.smtp).toEqual({ host: 'mail', password: REDACTED });
    });
    it("never changes the caller's object, and hides secrets in a child logger's bindings and in class instances", () => {
      class Endpoint {
        constructor(
          readonly url: string,
          readonly authentication: { basic_auth: { username: string; password: string } },
        ) {}
      }
      const endpoint = new Endpoint('https://example.test', { basic_auth: { username: 'ann', password: 'pw-1' } });
      const fields = { endpoint, nested: { list: [{ token: 'tok-2' }] } };
      const out = capture();
      const logger = createRootLogger(SETTINGS, out);
      logger.child({ project: { api_key: 'key-3', id: 'p1' } }).info(fields, 'bound');
      expect(out.text()).not.toMatch(/pw-1|tok-2|key-3/);
      const [line] = out.lines;
      expect(line.project).toEqual({ api_key: REDACTED, id: 'p1' });
      expect(line.endpoint.authentication.basic_auth).toEqual({ username: 'ann', password: REDACTED });
      expect(line.nested.list).toEqual([{ token: REDACTED }]);
      expect(endpoint.authentication.basic_auth.password).toBe('pw-1');
      expect(fields.nested.list[0].token).toBe('tok-2');
    });
  });

  describe('errors', () => {
    it('logs an error with its type, message and stack, and its cause', () => {
      const out = capture();
      const cause = new Error('connection refused');
      createRootLogger(SETTINGS, out).error({ err: new Error('send failed', { cause }) }, 'delivery failed');
      const [line] = out.lines;
      expect(line.err).toMatchObject({
        type: 'Error',
        message: 'send failed',
        cause: { message: 'connection refused' },
      });
      expect(line.err.stack).toMatch(/^Error: send failed\n\s+at /);
      expect(line.msg).toBe('delivery failed');
    });

    it("keeps an error's own properties out of the line (an HTTP client's error carries its request)", () => {
      const out = capture();
      const error = Object.assign(new Error('Response code 500'), {
        code: 'ERR_NON_2XX_3XX_RESPONSE',
        options: { headers: { 'x-convoy-signature': 'sig-secret', authorization: 'Bearer leak' } },
      });
      createRootLogger(SETTINGS, out).warn({ err: error }, 'attempt failed');
      expect(out.lines[0].err).toEqual({
        type: 'Error',
        message: 'Response code 500',
        code: 'ERR_NON_2XX_3XX_RESPONSE',
        stack: expect.stringContaining('Response code 500'),
      });
      expect(out.text()).not.toContain('sig-secret');
    });
  });

  describe('through the Nest Logger every class uses', () => {
    const out = capture();
    beforeAll(() => {
      const params = loggerModuleParams(SETTINGS, out);
      NestLogger.overrideLogger(new PinoNestLogger(new PinoLogger(params), params));
    });
    afterAll(() => NestLogger.overrideLogger(true));
    beforeEach(() => ((out as unknown as { raw: string[] }).raw.length = 0));

    it('keeps ids as fields next to a message that does not repeat them', () => {
      new NestLogger('DeliveryAttempter').warn(
        { project_id: 'p1', event_id: 'e1', delivery_id: 'd1', endpoint_id: 'ep1', status_code: 500 },
        'delivery attempt failed',
      );
      expect(out.lines).toEqual([
        expect.objectContaining({
          level: 'warn',
          service: 'dispatcher',
          context: 'DeliveryAttempter',
          msg: 'delivery attempt failed',
          project_id: 'p1',
          event_id: 'e1',
          delivery_id: 'd1',
          endpoint_id: 'ep1',
          status_code: 500,
        }),
      ]);
    });

    it("logs Nest's own (message, stack) error contract as an error with its stack", () => {
      const error = new Error('boom');
      new NestLogger('ExceptionsHandler').error(error.message, error.stack);
      expect(out.lines[0]).toMatchObject({ level: 'error', err: { message: 'boom' } });
      expect(out.lines[0].err.stack).toContain('at ');
    });

    it('honours the level threshold', () => {
      new NestLogger('X').debug({ project_id: 'p1' }, 'noise');
      expect(out.lines).toEqual([]);
    });
  });

  describe('request lines', () => {
    let server: Server;
    let url: string;
    const out = capture();

    beforeAll(async () => {
      const middleware = pinoHttp(httpLoggerOptions(SETTINGS, out));
      server = createServer((request: IncomingMessage, response: ServerResponse) => {
        middleware(request, response, () => {
          // What Express sets once a route matched and a guard authenticated the caller.
          Object.assign(request, {
            route: { path: '/api/v1/projects/:projectID/events' },
            params: { projectID: 'p-42' },
          });
          response.statusCode = request.url?.startsWith('/missing') ? 404 : 201;
          response.end('{}');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));
    beforeEach(() => ((out as unknown as { raw: string[] }).raw.length = 0));

    it('log method, route template, status, latency and project, never headers or the query', async () => {
      await fetch(`${url}/api/v1/projects/p-42/events?token=query-secret`, {
        method: 'POST',
        headers: { authorization: 'Bearer CO.key.header-secret' },
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(out.lines).toEqual([
        expect.objectContaining({
          level: 'info',
          msg: 'request completed',
          method: 'POST',
          route: '/api/v1/projects/:projectID/events',
          status: 201,
          duration_ms: expect.any(Number),
          project_id: 'p-42',
          path: '/api/v1/projects/p-42/events',
          request_id: expect.anything(),
        }),
      ]);
      expect(out.text()).not.toContain('header-secret');
      expect(out.text()).not.toContain('query-secret');
    });

    it('log a 4xx as a warning', async () => {
      await fetch(`${url}/missing`);
      await new Promise((resolve) => setImmediate(resolve));
      expect(out.lines).toEqual([expect.objectContaining({ level: 'warn', status: 404 })]);
    });

    it('leave out health, readiness and metrics requests', async () => {
      for (const path of ['/healthz', '/readyz', '/metrics', '/healthz?probe=1']) await fetch(`${url}${path}`);
      await fetch(`${url}/api/v1/projects/p-42/events`);
      await new Promise((resolve) => setImmediate(resolve));
      expect(out.lines.map((line) => line.route)).toEqual(['/api/v1/projects/:projectID/events']);
    });
  });

  describe('settings', () => {
    it('reads CARAVAN_LOG_LEVEL in Nest names', () => {
      expect(pinoLevel('log')).toBe('info');
      expect(pinoLevel('verbose')).toBe('trace');
      expect(pinoLevel('warn')).toBe('warn');
    });

    it('prints pretty in a terminal and JSON elsewhere unless CARAVAN_LOG_FORMAT says', () => {
      expect(resolveLogFormat(undefined, true)).toBe('pretty');
      expect(resolveLogFormat(undefined, false)).toBe('json');
      expect(resolveLogFormat('auto', true)).toBe('pretty');
      expect(resolveLogFormat('auto', false)).toBe('json');
      expect(resolveLogFormat('json', true)).toBe('json');
      expect(resolveLogFormat('pretty', false)).toBe('pretty');
    });

    it('mixes the fields of logContextFields into every line (where tracing adds its ids)', () => {
      expect(pinoOptions(SETTINGS).mixin).toBe(logContextFields);
      const out = capture();
      createRootLogger(SETTINGS, out).info({ event_id: 'e1' }, 'routed');
      expect(out.lines[0]).toMatchObject({ ...logContextFields(), event_id: 'e1', msg: 'routed' });
    });

    it("carries the active span's trace_id and span_id when tracing is on, and none outside a span", async () => {
      const provider = new NodeTracerProvider();
      provider.register();
      markTracingEnabled(true);
      try {
        const out = capture();
        const logger = createRootLogger(SETTINGS, out);
        let spanIds: { traceId: string; spanId: string } | undefined;
        await inSpan('route', {}, async (span) => {
          spanIds = span?.spanContext();
          logger.info({ event_id: 'e1' }, 'routed');
        });
        logger.info('outside');
        expect(out.lines[0]).toMatchObject({ trace_id: spanIds?.traceId, span_id: spanIds?.spanId, event_id: 'e1' });
        expect(spanIds?.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(out.lines[1]).not.toHaveProperty('trace_id');
      } finally {
        markTracingEnabled(false);
        await provider.shutdown();
      }
    });
  });
});
