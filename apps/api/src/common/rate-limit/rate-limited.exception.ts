import { HttpException, HttpStatus } from '@nestjs/common';

/** 429 in Convoy's envelope; the exception filter adds `Retry-After` from `responseHeaders`. */
export class RateLimitedException extends HttpException {
  readonly responseHeaders: Record<string, string>;

  constructor(message: string, retryAfterSeconds: number) {
    super({ status: false, message }, HttpStatus.TOO_MANY_REQUESTS);
    this.responseHeaders = { 'Retry-After': String(retryAfterSeconds) };
  }
}
