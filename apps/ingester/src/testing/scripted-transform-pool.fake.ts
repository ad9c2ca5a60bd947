import { TransformFailedError, type TransformPool } from '@caravan/sandbox';

/**
 * The sandbox pool with each function's code standing for a JavaScript function registered
 * under it (`define`), run on a copy of its input as the sandbox's JSON round trip does.
 * Unknown code fails as a script error would.
 */
export class ScriptedTransformPool implements Pick<TransformPool, 'run'> {
  readonly runs: Array<{ name: string; input: unknown }> = [];
  private readonly functions = new Map<string, (input: unknown) => unknown>();

  define(code: string, fn: (input: unknown) => unknown): string {
    this.functions.set(code, fn);
    return code;
  }

  async run(name: Parameters<TransformPool['run']>[0], code: string, input: unknown) {
    this.runs.push({ name, input });
    const fn = this.functions.get(code);
    if (!fn) throw new TransformFailedError(name, `ReferenceError: ${code} is not defined`);
    const value = fn(JSON.parse(JSON.stringify(input ?? null)));
    return { value: value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown), log: [] };
  }
}
