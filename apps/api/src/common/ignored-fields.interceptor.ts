import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';
import { IgnoredFields, withIgnoredFields } from './ignored-fields.context';

/**
 * Gives each request a collector of ignored names (the validation pipe adds unknown DTO
 * fields to it) and itself names what a route never reads: every query parameter of a route
 * without a query DTO, every body field of a route without a body DTO. Routes that read the
 * raw request (ingest) decide for themselves.
 */
@Injectable()
export class IgnoredFieldsInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const fields = new IgnoredFields(request, context.switchToHttp().getResponse<Response>());
    const params = routeParams(context);
    if (!params.some((param) => param.type === RouteParamtypes.REQUEST)) {
      const namedQuery = params.filter((param) => param.type === RouteParamtypes.QUERY).map((param) => param.data);
      if (!namedQuery.includes(undefined)) {
        fields.add(Object.keys(request.query ?? {}).filter((name) => !namedQuery.includes(name)));
      }
      const readsBody = params.some((param) => param.type === RouteParamtypes.BODY);
      if (!readsBody && isPlainObject(request.body)) fields.add(Object.keys(request.body));
    }
    return new Observable((subscriber) => withIgnoredFields(fields, () => next.handle().subscribe(subscriber)));
  }
}

function routeParams(context: ExecutionContext): Array<{ type: number; data: string | undefined }> {
  const metadata = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ??
    {}) as Record<string, { data?: unknown }>;
  return Object.entries(metadata).map(([key, arg]) => ({
    type: Number(key.split(':')[0]),
    data: typeof arg.data === 'string' ? arg.data : undefined,
  }));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}
