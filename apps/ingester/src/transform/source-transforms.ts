import { TransformFailedError } from './transform-failed.error';
import { TransformSandbox } from './transform.sandbox';

/**
 * A source's body_function and header_function, each in its sandbox. Convoy's semantics:
 * body_function receives the whole message (parsed JSON) and returns the message to ingest;
 * header_function receives the broker's attributes/headers and returns the headers to use.
 */
export class SourceTransforms {
  static readonly NONE = new SourceTransforms(null, null);

  constructor(
    private readonly body: TransformSandbox | null,
    private readonly headers: TransformSandbox | null,
  ) {}

  get transformsBody(): boolean {
    return this.body !== null;
  }

  /** The message bytes to ingest: unchanged without a body_function. */
  applyToBody(message: Buffer): Buffer {
    if (!this.body) return message;
    let document: unknown;
    try {
      document = JSON.parse(message.toString('utf8'));
    } catch (error) {
      throw new TransformFailedError('body_function', `message is not valid JSON (${(error as Error).message})`);
    }
    return Buffer.from(JSON.stringify(this.body.run(document)), 'utf8');
  }

  /** The attributes to route and forward: unchanged without a header_function. */
  applyToHeaders(attributes: Record<string, string>): Record<string, string> {
    if (!this.headers) return attributes;
    const output = this.headers.run(attributes);
    if (typeof output !== 'object' || output === null || Array.isArray(output)) {
      throw new TransformFailedError('header_function', 'transform must return an object of header names to values');
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(output)) {
      if (typeof value === 'object' && value !== null) {
        throw new TransformFailedError('header_function', `header ${name} must be a string, number or boolean`);
      }
      if (value !== null && value !== undefined) headers[name] = String(value);
    }
    return headers;
  }

  dispose(): void {
    this.body?.dispose();
    this.headers?.dispose();
  }
}
