import type { IncomingMessage } from 'node:http';

/** Thrown by a body reader when the client closed the connection before its body arrived. */
export class ClientAbortedError extends Error {
  readonly type = 'request.aborted';

  constructor() {
    super('the client closed the connection before the request body arrived');
    this.name = 'ClientAbortedError';
  }
}

/**
 * The client went away mid-request (a cancelled upload, a dropped connection): body-parser's
 * `request.aborted`, Node's `aborted` ECONNRESET on the request stream, or our own
 * ClientAbortedError. Not a fault of ours: nobody is left to answer, and it is no 500.
 */
export function isClientAbort(error: unknown, request: IncomingMessage): boolean {
  const candidate = error as { type?: string; code?: string; message?: string } | null;
  if (candidate?.type === 'request.aborted' || error instanceof ClientAbortedError) return true;
  return candidate?.code === 'ECONNRESET' && candidate.message === 'aborted' && !request.complete;
}
