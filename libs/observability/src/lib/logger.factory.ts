import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import type { Params } from 'nestjs-pino';
import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import pinoPretty from 'pino-pretty';
import type { CaravanConfig } from '@caravan/config';
import { logContextFields } from './log-context';
import { redactSecrets } from './log-redaction';
import { routeTemplate } from './route-template';

/** What the logger needs from the configuration: the service's name, CARAVAN_LOG_LEVEL and CARAVAN_LOG_FORMAT. */
export interface LogSettings {
  service: string;
  level: CaravanConfig['log']['level'];
  /** `auto` (or unset): pretty when stdout is a terminal, JSON lines otherwise. */
  format?: CaravanConfig['log']['format'];
}

/** Probes and scrapes: polled every few seconds by orchestrators and Prometheus, never worth a line. */
export const UNLOGGED_PATHS: readonly string[] = ['/healthz', '/readyz', '/metrics'];

/** CARAVAN_LOG_LEVEL keeps Nest's names (`log`, `verbose`); pino calls them `info` and `trace`. */
export function pinoLevel(level: LogSettings['level']): pino.Level {
  if (level === 'log') return 'info';
  if (level === 'verbose') return 'trace';
  return level;
}

export function resolveLogFormat(
  format: LogSettings['format'],
  stdoutIsTty = !!process.stdout.isTTY,
): 'json' | 'pretty' {
  if (format === 'json' || format === 'pretty') return format;
  return stdoutIsTty ? 'pretty' : 'json';
}

/**
 * An error as a log field: type, message, code, stack and its causes, nothing else. pino's
 * default serializer copies every enumerable property, and an HTTP client's error carries
 * the request it made (headers, signature, credentials) among them.
 */
export function serializeError(value: unknown, depth = 0): Record<string, unknown> | unknown {
  if (!(value instanceof Error)) return value;
  const error = value as Error & { code?: unknown };
  const fields: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
  if (typeof error.code === 'string' || typeof error.code === 'number') fields['code'] = error.code;
  if (error.cause !== undefined && depth < 3) fields['cause'] = serializeError(error.cause, depth + 1);
  return fields;
}

/**
 * The pino options every Caravan service logs with: the service name on each line, the
 * level from CARAVAN_LOG_LEVEL, secrets redacted, errors with their stack, and the fields
 * of {@link logContextFields} (trace ids) mixed in.
 */
export function pinoOptions(settings: LogSettings): LoggerOptions {
  return {
    level: pinoLevel(settings.level),
    base: { service: settings.service, pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }), log: redactSecrets, bindings: redactSecrets },
    serializers: { err: serializeError, error: serializeError },
    mixin: logContextFields,
  };
}

/**
 * Where lines go: the given stream (tests), else stdout, as JSON lines or pretty-printed.
 * pino-pretty runs in-process and synchronously, so the last lines before process.exit are
 * not lost (a pino transport would print from a worker thread).
 */
export function logDestination(settings: LogSettings, destination?: DestinationStream): DestinationStream {
  if (destination) return destination;
  if (resolveLogFormat(settings.format) === 'pretty') {
    return pinoPretty({
      colorize: !!process.stdout.isTTY,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
    });
  }
  return pino.destination({ dest: 1, sync: true });
}

/**
 * A service's root logger (Nest's through {@link loggerModuleParams}, or a script's). The
 * bindings of its child loggers are redacted as its lines are: pino applies `formatters` to a
 * line's fields and the root's bindings only.
 */
export function createRootLogger(settings: LogSettings, destination?: DestinationStream): Logger {
  const root = pino(pinoOptions(settings), logDestination(settings, destination));
  const child = root.child;
  // Children are made from their parent's prototype chain, so each inherits this own property.
  root.child = function redactedChild(this: Logger, bindings, options) {
    return child.call(this, redactSecrets(bindings), options);
  } as Logger['child'];
  return root;
}

type HttpRequest = IncomingMessage & {
  id?: unknown;
  originalUrl?: string;
  baseUrl?: string;
  route?: { path?: string };
  params?: Record<string, string | undefined>;
  principal?: { kind: string; projectId?: string };
  portal?: { link?: { projectId?: string } };
};

function pathOf(request: HttpRequest): string {
  const url = request.originalUrl ?? request.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function routeOf(request: HttpRequest): string {
  return routeTemplate(request) ?? 'unmatched';
}

/** The project a request acted on, once routing or authentication has told. */
function projectOf(request: HttpRequest): string | undefined {
  return request.params?.['projectID'] ?? request.principal?.projectId ?? request.portal?.link?.projectId;
}

/** The request-completed line: method, route template, status, latency and the project when known. */
function requestFields(request: HttpRequest, response: ServerResponse, durationMs: unknown): Record<string, unknown> {
  const project = projectOf(request);
  return {
    method: request.method,
    route: routeOf(request),
    path: pathOf(request),
    status: response.statusCode,
    duration_ms: durationMs,
    ...(project ? { project_id: project } : {}),
  };
}

/** pino-http's options: the request lines, on top of {@link pinoOptions}. */
export function httpLoggerOptions(
  settings: LogSettings,
  destination?: DestinationStream,
): PinoHttpOptions<HttpRequest, ServerResponse> {
  const options = pinoOptions(settings);
  return {
    logger: createRootLogger(settings, destination),
    // pino-http binds every request to a logger of its own, used or not: it holds the id and
    // method, never the headers (credentials, third parties' signatures), and costs little.
    serializers: {
      ...options.serializers,
      req: (request: { id?: unknown; method?: string }) => ({ id: request.id, method: request.method }),
    },
    // Lines carry the request's id, not its headers (credentials, third parties' signatures).
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'request_id', responseTime: 'duration_ms' },
    autoLogging: { ignore: (request) => UNLOGGED_PATHS.includes(pathOf(request)) },
    customLogLevel: (_request, response, error) =>
      error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    customSuccessObject: (request, response, value) =>
      requestFields(request, response, (value as Record<string, unknown>)['duration_ms']),
    // A 5xx without a thrown error gets pino-http's synthetic one; the api's exception filter
    // already logged the real error with its stack, so only a real one is kept here.
    customErrorObject: (request, response, error, value) => ({
      ...requestFields(request, response, (value as Record<string, unknown>)['duration_ms']),
      ...(error.message.startsWith('failed with status code') ? {} : { err: error }),
    }),
  };
}

/** The nestjs-pino module parameters of a service (LoggerModule.forRoot). */
export function loggerModuleParams(settings: LogSettings, destination?: DestinationStream): Params {
  return {
    pinoHttp: httpLoggerOptions(settings, destination) as Params['pinoHttp'],
  };
}
