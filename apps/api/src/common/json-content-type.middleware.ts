import { Injectable, NestMiddleware, UnsupportedMediaTypeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * JSON routes take JSON: a request that carries a body of another media type gets 415,
 * instead of the body being silently ignored and a confusing "field is required" 400.
 */
@Injectable()
export class JsonContentTypeMiddleware implements NestMiddleware {
  use(request: Request, _response: Response, next: NextFunction): void {
    const hasBody =
      Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    if (hasBody && !request.is('application/json')) {
      throw new UnsupportedMediaTypeException(
        `Content-Type must be application/json (got ${request.headers['content-type'] ?? 'none'})`,
      );
    }
    next();
  }
}
