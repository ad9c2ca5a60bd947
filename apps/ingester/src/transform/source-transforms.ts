import type { SourceEntity } from '@caravan/persistence';
import { TransformFailedError, TransformPool } from '@caravan/sandbox';

/**
 * A source's body_function and header_function, run in the process's sandbox pool. Convoy's
 * semantics: body_function receives the whole message (parsed JSON) and returns the message
 * to ingest; header_function receives the broker's attributes/headers and returns the
 * headers to use.
 */
export class SourceTransforms {
  static readonly NONE = new SourceTransforms(null, null, null);

  constructor(
    private readonly pool: TransformPool | null,
    private readonly body: string | null,
    private readonly headers: string | null,
  ) {}

  static forSource(pool: TransformPool, source: Pick<SourceEntity, 'bodyFunction' | 'headerFunction'>) {
    const body = source.bodyFunction?.trim() || null;
    const headers = source.headerFunction?.trim() || null;
    return body || headers ? new SourceTransforms(pool, body, headers) : SourceTransforms.NONE;
  }

  get transformsBody(): boolean {
    return this.body !== null;
  }

  /** The message bytes to ingest: unchanged without a body_function. */
  async applyToBody(message: Buffer): Promise<Buffer> {
    if (!this.body || !this.pool) return message;
    let document: unknown;
    try {
      document = JSON.parse(message.toString('utf8'));
    } catch (error) {
      throw new TransformFailedError('body_function', `message is not valid JSON (${(error as Error).message})`);
    }
    const { value } = await this.pool.run('body_function', this.body, document);
    return Buffer.from(JSON.stringify(value), 'utf8');
  }

  /** The attributes to route and forward: unchanged without a header_function. */
  async applyToHeaders(attributes: Record<string, string>): Promise<Record<string, string>> {
    if (!this.headers || !this.pool) return attributes;
    const { value: output } = await this.pool.run('header_function', this.headers, attributes);
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
}
