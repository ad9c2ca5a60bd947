import { RequestTimeoutException } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import { EventRejectedError } from '@caravan/intake';

export const INGEST_PATH = '/ingest/';

/** Ingest requests bypass the global body parsers: the route reads its stream itself (see readBodyWithin). */
export function isIngestRequest(request: IncomingMessage): boolean {
  return (request.url ?? '').startsWith(INGEST_PATH);
}

/**
 * A body parser `type` predicate: parse `mediaType` bodies, except on /ingest, whose
 * per-project size limit is enforced while streaming rather than after a 100 MB buffer.
 */
export function parsesUnlessIngest(mediaType: string): (request: IncomingMessage) => boolean {
  return (request) => !isIngestRequest(request) && Boolean((request as Request).is(mediaType));
}

/** Longest time an /ingest body may take to arrive. */
export const INGEST_BODY_TIMEOUT_MS = 10_000;

/** The refusal is sent at once and the connection closed, rather than reading the rest of the body. */
function closeAfterResponse(request: IncomingMessage): void {
  (request as Request).res?.setHeader('Connection', 'close');
}

function tooLarge(limit: number, bytes?: number): EventRejectedError {
  return new EventRejectedError(
    'too-large',
    bytes === undefined
      ? `request body is larger than the source project's max_payload_read_size of ${limit} bytes`
      : `request body is ${bytes} bytes, over the source project's max_payload_read_size of ${limit} bytes`,
  );
}

/**
 * Reads a request body of at most `limit` bytes. A declared Content-Length over the limit is
 * refused before a byte is read; otherwise bytes are counted as they arrive and reading
 * stops (the rest is drained, not kept) as soon as the count passes the limit, so an
 * oversized body is never buffered whole.
 */
export function readBodyWithin(
  request: IncomingMessage,
  limit: number,
  timeoutMs = INGEST_BODY_TIMEOUT_MS,
): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    closeAfterResponse(request);
    return Promise.reject(tooLarge(limit, declared));
  }
  if (request.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // A body trickled in byte by byte must not hold the request (and its memory) for minutes.
    const timer = setTimeout(() => {
      cleanup();
      closeAfterResponse(request);
      reject(
        new RequestTimeoutException({ status: false, message: `request body not received within ${timeoutMs} ms` }),
      );
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        closeAfterResponse(request);
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}
