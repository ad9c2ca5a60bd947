import { IngesterSettings } from '@caravan/config';
import { TransformFailedError } from './transform-failed.error';
import { TransformSandboxFactory } from './transform-sandbox.factory';

const SETTINGS = { transformTimeoutMs: 100, transformMemoryBytes: 8 * 1024 * 1024 } as IngesterSettings;
const factory = new TransformSandboxFactory(SETTINGS);

function body(code: string) {
  return factory.forSource({ bodyFunction: code, headerFunction: null });
}

function failure(run: () => unknown): TransformFailedError {
  try {
    run();
  } catch (error) {
    if (error instanceof TransformFailedError) return error;
    throw error;
  }
  throw new Error('expected the transform to fail');
}

describe('transform sandbox', () => {
  it('applies body_function to the whole message and reuses the compiled function', async () => {
    const transforms = await body(
      'function transform(x) { x.data.total = x.data.amount * 2; x.event_type = "renamed"; return x; }',
    );
    for (let i = 0; i < 50; i++) {
      const out = JSON.parse(
        transforms.applyToBody(Buffer.from(`{"event_type":"t","data":{"amount":${i}}}`)).toString(),
      );
      expect(out).toEqual({ event_type: 'renamed', data: { amount: i, total: i * 2 } });
    }
    transforms.dispose();
  });

  it('applies header_function and coerces scalar values to strings', async () => {
    const transforms = await factory.forSource({
      bodyFunction: null,
      headerFunction:
        'function transform(h) { return { "x-convoy-message-type": "broadcast", "x-n": 5, "x-from": h.origin }; }',
    });
    expect(transforms.applyToHeaders({ origin: 'kafka' })).toEqual({
      'x-convoy-message-type': 'broadcast',
      'x-n': '5',
      'x-from': 'kafka',
    });
    transforms.dispose();
  });

  it('stops a runaway function at the time limit, and the sandbox works again afterwards', async () => {
    const transforms = await body('function transform(x) { if (x.loop) { while (true) {} } return x; }');
    const started = Date.now();
    const error = failure(() => transforms.applyToBody(Buffer.from('{"loop":true}')));
    expect(error.reason).toBe('exceeded its time limit of 100 ms');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(JSON.parse(transforms.applyToBody(Buffer.from('{"loop":false}')).toString())).toEqual({ loop: false });
    transforms.dispose();
  });

  it('stops a function that outgrows the memory limit', async () => {
    const roomy = new TransformSandboxFactory({
      transformTimeoutMs: 5_000,
      transformMemoryBytes: 4 * 1024 * 1024,
    } as IngesterSettings);
    const transforms = await roomy.forSource({
      bodyFunction: 'function transform(x) { var kept = []; while (true) { kept.push({ x: x, list: [1, 2, 3] }); } }',
      headerFunction: null,
    });
    const error = failure(() => transforms.applyToBody(Buffer.from('{}')));
    expect(error.reason).toBe(`exceeded its memory limit of ${4 * 1024 * 1024} bytes`);
    transforms.dispose();
  });

  it('fails clearly on a throw, a syntax error, a missing transform and an undefined result', async () => {
    const throwing = await body('function transform(x) { throw new TypeError("nope"); }');
    expect(failure(() => throwing.applyToBody(Buffer.from('{}'))).reason).toBe('TypeError: nope');
    const broken = await body('function transform(x) { return x');
    expect(failure(() => broken.applyToBody(Buffer.from('{}'))).reason).toMatch(/^does not compile: SyntaxError/);
    const missing = await body('function other(x) { return x; }');
    expect(failure(() => missing.applyToBody(Buffer.from('{}'))).reason).toBe('must define function transform(x)');
    const empty = await body('function transform(x) { }');
    expect(failure(() => empty.applyToBody(Buffer.from('{}'))).reason).toBe('transform returned undefined');
    [throwing, broken, missing, empty].forEach((transforms) => transforms.dispose());
  });

  it('has no access to Node', async () => {
    const transforms = await body(
      'function transform(x) { return { require: typeof require, process: typeof process, fetch: typeof fetch }; }',
    );
    expect(JSON.parse(transforms.applyToBody(Buffer.from('{}')).toString())).toEqual({
      require: 'undefined',
      process: 'undefined',
      fetch: 'undefined',
    });
    transforms.dispose();
  });

  it('leaves a message untouched when the source has no functions', async () => {
    const none = await factory.forSource({ bodyFunction: '  ', headerFunction: null });
    const message = Buffer.from('{ "exact" : 1 }');
    expect(none.applyToBody(message)).toBe(message);
    expect(none.applyToHeaders({ a: 'b' })).toEqual({ a: 'b' });
  });
});
