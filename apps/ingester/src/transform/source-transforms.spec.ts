import { TransformFailedError, TransformPool } from '@caravan/sandbox';
import { SourceTransforms } from './source-transforms';

async function failure(promise: Promise<unknown>): Promise<TransformFailedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TransformFailedError) return error;
    throw error;
  }
  throw new Error('expected the transform to fail');
}

describe("a source's transforms", () => {
  jest.setTimeout(60_000);
  const pool = new TransformPool({ workers: 1, timeoutMs: 1_000, memoryBytes: 8 * 1024 * 1024 });
  const body = (code: string) => SourceTransforms.forSource(pool, { bodyFunction: code, headerFunction: null });

  afterAll(() => pool.close());

  it('applies body_function to the whole message', async () => {
    const transforms = body(
      'function transform(x) { x.data.total = x.data.amount * 2; x.event_type = "renamed"; return x; }',
    );
    for (let i = 0; i < 20; i++) {
      const out = JSON.parse(
        (await transforms.applyToBody(Buffer.from(`{"event_type":"t","data":{"amount":${i}}}`))).toString(),
      );
      expect(out).toEqual({ event_type: 'renamed', data: { amount: i, total: i * 2 } });
    }
  });

  it('applies header_function and coerces scalar values to strings', async () => {
    const transforms = SourceTransforms.forSource(pool, {
      bodyFunction: null,
      headerFunction:
        'function transform(h) { return { "x-convoy-message-type": "broadcast", "x-n": 5, "x-from": h.origin }; }',
    });
    expect(await transforms.applyToHeaders({ origin: 'kafka' })).toEqual({
      'x-convoy-message-type': 'broadcast',
      'x-n': '5',
      'x-from': 'kafka',
    });
    const nested = SourceTransforms.forSource(pool, {
      bodyFunction: null,
      headerFunction: 'function transform(h) { return { a: { b: 1 } }; }',
    });
    expect((await failure(nested.applyToHeaders({}))).reason).toBe('header a must be a string, number or boolean');
  });

  it('refuses a message that is not JSON, and names the failing function', async () => {
    const error = await failure(body('function transform(x) { return x; }').applyToBody(Buffer.from('{oops')));
    expect(error.message).toMatch(/^body_function failed: message is not valid JSON/);
    const runaway = await failure(body('function transform(x) { while (true) {} }').applyToBody(Buffer.from('{}')));
    expect(runaway.message).toBe('body_function failed: exceeded its time limit of 1000 ms');
  });

  it('leaves a message untouched when the source has no functions', async () => {
    const none = SourceTransforms.forSource(pool, { bodyFunction: '  ', headerFunction: null });
    expect(none).toBe(SourceTransforms.NONE);
    const message = Buffer.from('{ "exact" : 1 }');
    expect(await none.applyToBody(message)).toBe(message);
    expect(await none.applyToHeaders({ a: 'b' })).toEqual({ a: 'b' });
  });
});
