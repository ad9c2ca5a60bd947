import { TransformFailedError, type TransformPool } from '@caravan/sandbox';
import { asRepository } from '@caravan/testing';
import { ScriptedTransformPool } from '../testing/scripted-transform-pool.fake';
import { SourceTransforms } from './source-transforms';

async function failure(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof TransformFailedError)) throw new Error(`expected TransformFailedError, got ${String(error)}`);
  return error.message;
}

describe("a source's transforms (scripted pool)", () => {
  function world(bodyFunction: string | null, headerFunction: string | null) {
    const pool = new ScriptedTransformPool();
    const transforms = () =>
      SourceTransforms.forSource(asRepository<TransformPool>(pool), { bodyFunction, headerFunction });
    return { pool, transforms };
  }

  it('blank functions mean none: bytes and attributes pass through without a sandbox run', async () => {
    const { pool, transforms } = world('  \n ', '');
    const none = transforms();
    expect(none).toBe(SourceTransforms.NONE);
    expect(none.transformsBody).toBe(false);
    const bytes = Buffer.from('not even json');
    expect(await none.applyToBody(bytes)).toBe(bytes);
    expect(await none.applyToHeaders({ a: 'b' })).toEqual({ a: 'b' });
    expect(pool.runs).toEqual([]);
  });

  describe('body_function', () => {
    it('receives the parsed message and gives the JSON of what it returns', async () => {
      const { pool, transforms } = world('reshape', null);
      pool.define('reshape', (message) => ({ event_type: 'x', data: message }));
      const out = await transforms().applyToBody(Buffer.from('{"n": 1}'));
      expect(out.toString()).toBe('{"event_type":"x","data":{"n":1}}');
      expect(pool.runs).toEqual([{ name: 'body_function', input: { n: 1 } }]);
    });

    it('refuses a message that is not JSON, naming body_function, without running it', async () => {
      const { pool, transforms } = world('reshape', null);
      pool.define('reshape', (message) => message);
      expect(await failure(transforms().applyToBody(Buffer.from('{oops')))).toMatch(
        /^body_function failed: message is not valid JSON/,
      );
      expect(pool.runs).toEqual([]);
    });
  });

  describe('header_function', () => {
    it('renders numbers and booleans as strings and leaves out null and undefined', async () => {
      const { pool, transforms } = world(null, 'headers');
      pool.define('headers', () => ({ a: 'b', n: 3, yes: true, gone: null }));
      expect(await transforms().applyToHeaders({ in: 'x' })).toEqual({ a: 'b', n: '3', yes: 'true' });
      expect(pool.runs).toEqual([{ name: 'header_function', input: { in: 'x' } }]);
    });

    it('refuses a result that is not an object of scalars', async () => {
      const { pool, transforms } = world(null, 'headers');
      for (const result of [['a'], 'text', null]) {
        pool.define('headers', () => result);
        expect(await failure(transforms().applyToHeaders({}))).toBe(
          'header_function failed: transform must return an object of header names to values',
        );
      }
      pool.define('headers', () => ({ nested: { a: 1 } }));
      expect(await failure(transforms().applyToHeaders({}))).toBe(
        'header_function failed: header nested must be a string, number or boolean',
      );
    });
  });
});
