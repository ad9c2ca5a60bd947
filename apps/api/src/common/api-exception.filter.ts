import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { newId } from '@caravan/domain';
import { EventRejectedError, EventRejection } from '@caravan/intake';
import { InvalidPageCursorError, isQueryFailure } from '@caravan/persistence';
import { isClientAbort } from './client-abort';

interface ErrorBody {
  status: false;
  message: string;
  errors?: unknown;
  error_id?: string;
}

/** The HTTP answer to each reason the intake refuses an event. */
const REJECTION_STATUS: Readonly<Record<EventRejection, number>> = {
  invalid: HttpStatus.BAD_REQUEST,
  'project-not-found': HttpStatus.NOT_FOUND,
  'too-large': HttpStatus.PAYLOAD_TOO_LARGE,
};

/** Postgres/driver failures that mean "the database is unreachable", not "your request is bad". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P03', '53300']);

const JSON_SYNTAX_ERROR = / in JSON at position \d+|^Unexpected (token|end of JSON)|^Unterminated string in JSON/;

function isDatabaseUnavailable(error: unknown): boolean {
  const candidate = error as { code?: string; message?: string; driverError?: { code?: string } };
  const code = candidate?.driverError?.code ?? candidate?.code;
  return (
    (code !== undefined && UNAVAILABLE_CODES.has(code)) ||
    /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/.test(candidate?.message ?? '')
  );
}

/** What a log line about a failed request says of it (the project when the route names one). */
function requestLogFields(request: Request): Record<string, unknown> {
  const route = (request.route as { path?: string } | undefined)?.path;
  const project = request.params?.['projectID'];
  return {
    method: request.method,
    path: request.path,
    ...(route ? { route: `${request.baseUrl ?? ''}${route}` } : {}),
    ...(project ? { project_id: project } : {}),
  };
}

/**
 * The one place errors become responses: Convoy's envelope everywhere, field-naming 400s,
 * 404 for unknown routes, 413/415 from the body parser, 503 when Postgres is unreachable,
 * and for anything unexpected a 500 carrying an error id that is also in the log. Never a
 * stack trace or SQL in a response.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    if (isClientAbort(exception, request)) {
      // A cancelled upload: logged as what it is, and the connection closed without a 500.
      this.logger.debug(`${request.method} ${request.path}: the client closed the connection mid-request`);
      if (!response.headersSent && response.writable) {
        response.setHeader('Connection', 'close');
        response.status(HttpStatus.BAD_REQUEST).json({ status: false, message: 'the request body was not received' });
      }
      request.socket?.destroy();
      return;
    }
    const { status, body, headers } = this.toResponse(exception, request);
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(headers ?? {})) response.setHeader(name, value);
    response.status(status).json(body);
  }

  private toResponse(
    exception: unknown,
    request: Request,
  ): { status: number; body: ErrorBody; headers?: Record<string, string> } {
    const parserError = exception as { type?: string; status?: number; limit?: number };
    if (parserError?.type === 'entity.too.large') {
      return {
        status: 413,
        body: { status: false, message: `request body is larger than the ${parserError.limit} byte limit` },
      };
    }
    if (parserError?.type === 'charset.unsupported' || parserError?.type === 'encoding.unsupported') {
      return { status: 415, body: { status: false, message: 'unsupported request body encoding' } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      if (typeof payload === 'object' && payload !== null && 'status' in payload && payload.status === false) {
        // e.g. a 429's Retry-After (RateLimitedException).
        const headers = (exception as { responseHeaders?: Record<string, string> }).responseHeaders;
        return { status, body: payload as ErrorBody, headers };
      }
      const raw = typeof payload === 'string' ? payload : String((payload as { message?: unknown }).message ?? '');
      // Nest turns the JSON body parser's SyntaxError into a bare 400; say what it is.
      if (status === HttpStatus.BAD_REQUEST && JSON_SYNTAX_ERROR.test(raw)) {
        return { status, body: { status: false, message: `request body is not valid JSON: ${raw}` } };
      }
      const message =
        typeof payload === 'string'
          ? payload
          : status === HttpStatus.NOT_FOUND && /^Cannot /.test(String((payload as { message?: unknown }).message))
            ? `route not found: ${request.method} ${request.path}`
            : String((payload as { message?: unknown }).message ?? exception.message);
      return { status, body: { status: false, message } };
    }
    if (exception instanceof EventRejectedError) {
      const { field, message } = exception;
      const body: ErrorBody = field
        ? { status: false, message, errors: [{ field, message }] }
        : { status: false, message };
      return { status: REJECTION_STATUS[exception.reason], body };
    }
    if (exception instanceof InvalidPageCursorError) {
      return { status: HttpStatus.BAD_REQUEST, body: { status: false, message: exception.message } };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.error({ ...requestLogFields(request), err: exception }, 'database unavailable');
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        body: { status: false, message: 'the database is unavailable; retry later' },
        headers: { 'Retry-After': '5' },
      };
    }
    const errorId = newId();
    this.logger.error(
      {
        ...requestLogFields(request),
        error_id: errorId,
        ...(isQueryFailure(exception) ? { query_failed: true } : {}),
        err: exception,
      },
      'internal error',
    );
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { status: false, message: `internal error (error id ${errorId})`, error_id: errorId },
    };
  }
}
