/** Which tenant function failed: a source's body/header function, or a subscription's function. */
export type TransformFunctionName = 'body_function' | 'header_function' | 'function';

/** Longest reason kept: a thrown value is the tenant's to size, the logs are not. */
export const MAX_REASON_LENGTH = 500;

/** Cuts a tenant-controlled text to `max` characters, saying so. */
export function truncate(text: string, max = MAX_REASON_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * A tenant function could not transform a payload: it does not compile, threw, ran past its
 * time limit, outgrew its memory limit, or returned something unusable. Fails that one
 * message or delivery, never the consumer or the process. `line` is where it failed, when
 * the sandbox knows.
 */
export class TransformFailedError extends Error {
  readonly reason: string;

  constructor(
    readonly functionName: TransformFunctionName,
    reason: string,
    readonly line?: number,
  ) {
    const short = truncate(reason);
    super(`${functionName} failed: ${short}`);
    this.reason = short;
    this.name = 'TransformFailedError';
  }
}
