import {
  QuickJSContext,
  QuickJSHandle,
  QuickJSRuntime,
  QuickJSWASMModule,
  shouldInterruptAfterDeadline,
} from 'quickjs-emscripten';
import { TransformFailedError } from './transform-failed.error';

export interface SandboxLimits {
  /** Wall-clock limit of one call (compiling included). */
  timeoutMs: number;
  /** Heap limit of the QuickJS runtime. */
  memoryBytes: number;
}

/** Wraps the user's `transform` so data crosses the boundary as JSON text only. */
const RUNNER = `(function (transform, parse, stringify) {
  return function (input) {
    var output = transform(parse(input));
    return output === undefined ? undefined : stringify(output);
  };
})`;

const MAX_STACK_BYTES = 256 * 1024;

interface Compiled {
  runtime: QuickJSRuntime;
  context: QuickJSContext;
  runner: QuickJSHandle;
}

/**
 * One source's `function transform(x) { … }` in a QuickJS runtime of its own (WebAssembly:
 * its own heap with a memory limit, an interrupt handler for the time limit, no access to
 * Node). Compiled once and reused for every message of the source, so a call costs
 * microseconds; any failure disposes the runtime and the next call compiles afresh, so a
 * message that broke the sandbox cannot affect the next one. Globals the function sets
 * persist between calls of the same source only (each source has its own sandbox).
 */
export class TransformSandbox {
  private compiled?: Compiled;

  constructor(
    private readonly module: QuickJSWASMModule,
    private readonly functionName: 'body_function' | 'header_function',
    private readonly code: string,
    private readonly limits: SandboxLimits,
  ) {}

  /** Runs transform(input) and returns its JSON result; throws TransformFailedError. */
  run(input: unknown): unknown {
    const deadline = Date.now() + this.limits.timeoutMs;
    try {
      const { runtime, context, runner } = this.compile(deadline);
      runtime.setInterruptHandler(shouldInterruptAfterDeadline(deadline));
      const argument = context.newString(JSON.stringify(input ?? null));
      const result = context.callFunction(runner, context.undefined, argument);
      argument.dispose();
      if (result.error) {
        const error: unknown = context.dump(result.error);
        result.error.dispose();
        throw new TransformFailedError(this.functionName, this.describe(error));
      }
      const text = context.typeof(result.value) === 'string' ? context.getString(result.value) : undefined;
      result.value.dispose();
      runtime.removeInterruptHandler();
      if (text === undefined) throw new TransformFailedError(this.functionName, 'transform returned undefined');
      return JSON.parse(text);
    } catch (error) {
      this.dispose();
      if (error instanceof TransformFailedError) throw error;
      throw new TransformFailedError(this.functionName, `the sandbox failed: ${(error as Error).message}`);
    }
  }

  dispose(): void {
    const compiled = this.compiled;
    this.compiled = undefined;
    if (!compiled) return;
    try {
      compiled.runner.dispose();
      compiled.context.dispose();
      compiled.runtime.dispose();
    } catch {
      // A runtime that failed mid-call may refuse a clean disposal; it is dropped either way.
    }
  }

  private compile(deadline: number): Compiled {
    if (this.compiled) return this.compiled;
    const runtime = this.module.newRuntime();
    runtime.setMemoryLimit(this.limits.memoryBytes);
    runtime.setMaxStackSize(MAX_STACK_BYTES);
    runtime.setInterruptHandler(shouldInterruptAfterDeadline(deadline));
    const context = runtime.newContext();
    const handles: QuickJSHandle[] = [];
    try {
      const evaluated = context.evalCode(this.code, `${this.functionName}.js`);
      if (evaluated.error) {
        const error: unknown = context.dump(evaluated.error);
        evaluated.error.dispose();
        throw new TransformFailedError(this.functionName, `does not compile: ${this.describe(error)}`);
      }
      evaluated.value.dispose();
      const transform = context.getProp(context.global, 'transform');
      handles.push(transform);
      if (context.typeof(transform) !== 'function') {
        throw new TransformFailedError(this.functionName, 'must define function transform(x)');
      }
      const json = context.getProp(context.global, 'JSON');
      handles.push(json);
      const parse = context.getProp(json, 'parse');
      handles.push(parse);
      const stringify = context.getProp(json, 'stringify');
      handles.push(stringify);
      const factory = context.unwrapResult(context.evalCode(RUNNER, 'caravan-runner.js'));
      handles.push(factory);
      const runner = context.unwrapResult(
        context.callFunction(factory, context.undefined, transform, parse, stringify),
      );
      this.compiled = { runtime, context, runner };
      return this.compiled;
    } catch (error) {
      handles.forEach((handle) => handle.dispose());
      handles.length = 0;
      context.dispose();
      runtime.dispose();
      throw error;
    } finally {
      handles.forEach((handle) => handle.dispose());
    }
  }

  private describe(error: unknown): string {
    if (error === null || error === undefined) return `exceeded its memory limit of ${this.limits.memoryBytes} bytes`;
    const { name, message } = (typeof error === 'object' ? error : { message: String(error) }) as {
      name?: string;
      message?: string;
    };
    if (message === 'interrupted') return `exceeded its time limit of ${this.limits.timeoutMs} ms`;
    if (message === 'out of memory') return `exceeded its memory limit of ${this.limits.memoryBytes} bytes`;
    return `${name ?? 'Error'}: ${message ?? JSON.stringify(error)}`;
  }
}
