/**
 * A body_function or header_function could not transform a message: it does not compile,
 * threw, ran past its time limit, outgrew its memory limit, or returned something unusable.
 * Fails that one message (rejected with this reason), never the consumer or the process.
 */
export class TransformFailedError extends Error {
  constructor(
    readonly functionName: 'body_function' | 'header_function',
    readonly reason: string,
  ) {
    super(`${functionName} failed: ${reason}`);
    this.name = 'TransformFailedError';
  }
}
