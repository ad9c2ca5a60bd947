import { TransformFailedError } from './transform-failed.error';
import { TransformPool } from './transform-pool';

const MiB = 1024 * 1024;

async function failure(promise: Promise<unknown>): Promise<TransformFailedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TransformFailedError) return error;
    throw error;
  }
  throw new Error('expected the transform to fail');
}

/**
 * The longest the host's event loop went without running a timer while `work` ran. Tenant
 * code in the host's thread stalled it for 2 to 18 s; the bound below leaves room only for a
 * heavily loaded test machine.
 */
/**
 * What `work` costs the host's own thread, in CPU milliseconds. A sandbox that ran hostile code
 * on the host thread (or blocked it in synchronous work) shows up here whatever the machine's
 * load; wall-clock event-loop stalls would also count the time a busy machine keeps the thread
 * off the CPU.
 */
async function hostThreadCost<T>(work: () => Promise<T>): Promise<{ result: T; hostCpuMs: number }> {
  const before = process.threadCpuUsage();
  const result = await work();
  const used = process.threadCpuUsage(before);
  return { result, hostCpuMs: (used.user + used.system) / 1_000 };
}

describe('transform pool (worker threads + QuickJS)', () => {
  jest.setTimeout(240_000);
  let pool: TransformPool;

  beforeAll(() => {
    // A generous limit: the machine running tests may be heavily loaded, and only the hostile
    // functions below are meant to reach it.
    pool = new TransformPool({ workers: 2, timeoutMs: 1_000, memoryBytes: 8 * MiB });
  });

  afterAll(async () => {
    await pool?.close();
  });

  it('transforms payloads, reusing the compiled function, and captures console.log', async () => {
    const code = 'function transform(x) { console.log("saw", x.n); x.double = x.n * 2; return x; }';
    const results = await Promise.all(Array.from({ length: 50 }, (_, n) => pool.run('function', code, { n })));
    results.forEach((result, n) => {
      expect(result.value).toEqual({ n, double: n * 2 });
      expect(result.log).toEqual([`saw ${n}`]);
    });
  });

  it('fails clearly on a throw (with its line), a syntax error, a missing transform and an undefined result', async () => {
    const thrown = await failure(
      pool.run('function', 'function transform(x) {\n  var a = 1;\n  throw new TypeError("nope");\n}', {}),
    );
    expect(thrown.reason).toBe('TypeError: nope');
    expect(thrown.line).toBe(3);
    expect((await failure(pool.run('function', 'function transform(x) { return x', {}))).reason).toMatch(
      /^does not compile: SyntaxError/,
    );
    expect((await failure(pool.run('body_function', 'function other(x) { return x; }', {}))).reason).toBe(
      'must define function transform(x)',
    );
    expect((await failure(pool.run('function', 'function transform(x) { }', {}))).reason).toBe(
      'transform returned undefined',
    );
  });

  it('truncates a huge thrown value before it reaches a log line', async () => {
    const error = await failure(
      pool.run('function', 'function transform(x) { throw new Error("x".repeat(300000)); }', {}),
    );
    expect(error.message.length).toBeLessThan(700);
    expect(error.reason).toContain('more characters');
  });

  it('stops an infinite loop within its limit, without stalling the host, and runs the next call', async () => {
    const started = performance.now();
    const { result: error, hostCpuMs } = await hostThreadCost(() =>
      failure(pool.run('function', 'function transform(x) { while (true) {} }', {})),
    );
    expect(error.reason).toBe('exceeded its time limit of 1000 ms');
    // The limit plus the hard deadline's grace, with room for a loaded machine; never unbounded.
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(hostCpuMs).toBeLessThan(300);
    expect((await pool.run('function', 'function transform(x) { return 1; }', {})).value).toBe(1);
  });

  it('terminates a call stuck where QuickJS cannot interrupt it (a backtracking builtin)', async () => {
    const started = performance.now();
    const { result: error, hostCpuMs } = await hostThreadCost(() =>
      failure(pool.run('function', 'function transform(x) { return /^(a|a|aa)*$/.test("a".repeat(5000) + "b"); }', {})),
    );
    expect(error.reason).toBe('exceeded its time limit of 1000 ms');
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(hostCpuMs).toBeLessThan(300);
  });

  it('stops memory bombs at the limit and the host does not grow with them', async () => {
    const bombs = [
      'function transform(x) { var kept = []; while (true) { kept.push("x".repeat(4096) + kept.length); } }',
      'function transform(x) { var kept = []; while (true) { kept.push({ x: x, list: [1, 2, 3] }); } }',
      'function transform(x) { return new Array(1e9).fill(1); }',
    ];
    // Warm both workers, then measure the host across many bombs.
    await Promise.all([1, 2].map(() => pool.run('function', 'function transform(x) { return x; }', {})));
    global.gc?.();
    const before = process.memoryUsage().rss;
    const { hostCpuMs } = await hostThreadCost(async () => {
      for (let round = 0; round < 3; round++) {
        for (const code of bombs) {
          const error = await failure(pool.run('function', `${code} // ${round}`, {}));
          expect(error.reason).toMatch(/^exceeded its (memory limit of 8388608 bytes|time limit of 1000 ms)$/);
        }
      }
    });
    const grownMiB = (process.memoryUsage().rss - before) / MiB;
    expect(grownMiB).toBeLessThan(150);
    expect(hostCpuMs).toBeLessThan(1_000);
    expect((await pool.run('function', 'function transform(x) { return "alive"; }', {})).value).toBe('alive');
  });

  it('gives functions no way out: no process, require or Node through globalThis.constructor', async () => {
    const probe = await pool.run(
      'function',
      `function transform(x) {
        var F = globalThis.constructor.constructor;
        return {
          process: typeof process, require: typeof require, fetch: typeof fetch,
          viaConstructor: F("return typeof process")(),
          globalProcess: typeof F("return this")().process,
        };
      }`,
      {},
    );
    expect(probe.value).toEqual({
      process: 'undefined',
      require: 'undefined',
      fetch: 'undefined',
      viaConstructor: 'undefined',
      globalProcess: 'undefined',
    });
    const escape = await failure(
      pool.run(
        'function',
        'function transform(x) { return globalThis.constructor.constructor("return process")().exit(1); }',
        {},
      ),
    );
    expect(escape.reason).toMatch(/^ReferenceError: .*process/);
    const required = await failure(
      pool.run('function', 'function transform(x) { return require("fs").readFileSync("/etc/passwd"); }', {}),
    );
    expect(required.reason).toMatch(/^ReferenceError: .*require/);
    expect((await pool.run('function', 'function transform(x) { return 2; }', {})).value).toBe(2);
  });

  it('keeps each function to itself: globals do not leak between functions', async () => {
    await pool.run('function', 'function transform(x) { globalThis.secret = "a"; return 1; }', {});
    const other = await pool.run('function', 'function transform(x) { return typeof globalThis.secret; }', {});
    expect(other.value).toBe('undefined');
  });
});
