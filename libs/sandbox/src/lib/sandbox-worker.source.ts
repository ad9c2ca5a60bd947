/**
 * The code of one sandbox worker thread, as CommonJS text run with `new Worker(…, { eval: true })`:
 * the apps are webpack bundles and the tests run TypeScript, and neither can hand a worker a
 * file of its own. It loads QuickJS's WebAssembly module once (shared by every function the
 * worker runs), keeps each function compiled in a QuickJS runtime of its own (memory limit,
 * interrupt deadline, no Node), and answers `{ id, ok, output | reason, line, log }`.
 * Data crosses both boundaries as JSON text only.
 */
export const SANDBOX_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');

const MAX_COMPILED = 32;
const MAX_STACK_BYTES = 256 * 1024;
const MAX_LOG_LINES = 50;
const MAX_LOG_LINE = 1000;
const RUNNER = '(function (transform, parse, stringify) { return function (input) {' +
  ' var output = transform(parse(input)); return output === undefined ? undefined : stringify(output); }; })';

function load() {
  let lastError;
  for (const base of workerData.resolveFrom) {
    try {
      const local = createRequire(base);
      return { quickjs: local('quickjs-emscripten'), emscripten: local('@jitl/quickjs-wasmfile-release-sync/emscripten-module') };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

const compiled = new Map();
let current = { log: [] };

function dispose(entry) {
  try { entry.runner.dispose(); entry.context.dispose(); entry.runtime.dispose(); } catch (_) { /* dropped either way */ }
}

function lineOf(error) {
  const text = error && typeof error === 'object' ? String(error.stack || '') : '';
  const match = /function\.js:(\d+)/.exec(text);
  return match ? Number(match[1]) : undefined;
}

function describe(error, limits) {
  if (error === null || error === undefined) return { reason: 'exceeded its memory limit of ' + limits.memoryBytes + ' bytes', memory: true };
  const value = typeof error === 'object' ? error : { message: String(error) };
  const message = value.message === undefined ? JSON.stringify(error) : String(value.message);
  if (message === 'interrupted') return { reason: 'exceeded its time limit of ' + limits.timeoutMs + ' ms' };
  if (message === 'out of memory') return { reason: 'exceeded its memory limit of ' + limits.memoryBytes + ' bytes', memory: true };
  return { reason: String(value.name || 'Error') + ': ' + message.slice(0, 2000), line: lineOf(error) };
}

class Failure extends Error {
  constructor(reason, line, memory) { super(reason); this.reason = reason; this.line = line; this.memory = memory; }
}

function compile(module, task, deadline) {
  const key = task.name + '\u0000' + task.code;
  const cached = compiled.get(key);
  if (cached) { compiled.delete(key); compiled.set(key, cached); return cached; }
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(task.memoryBytes);
  runtime.setMaxStackSize(MAX_STACK_BYTES);
  runtime.setInterruptHandler(() => Date.now() > deadline);
  const context = runtime.newContext();
  const handles = [];
  try {
    const consoleObject = context.newObject();
    handles.push(consoleObject);
    const log = context.newFunction('log', (...args) => {
      if (current.log.length >= MAX_LOG_LINES) return;
      const line = args.map((handle) => {
        const value = context.dump(handle);
        return typeof value === 'string' ? value : JSON.stringify(value);
      }).join(' ');
      current.log.push(line.length > MAX_LOG_LINE ? line.slice(0, MAX_LOG_LINE) + '…' : line);
    });
    handles.push(log);
    context.setProp(consoleObject, 'log', log);
    context.setProp(context.global, 'console', consoleObject);
    const evaluated = context.evalCode(task.code, 'function.js');
    if (evaluated.error) {
      const error = context.dump(evaluated.error);
      evaluated.error.dispose();
      const described = describe(error, task);
      throw new Failure(described.memory || /^exceeded/.test(described.reason) ? described.reason : 'does not compile: ' + described.reason, described.line, described.memory);
    }
    evaluated.value.dispose();
    const transform = context.getProp(context.global, 'transform');
    handles.push(transform);
    if (context.typeof(transform) !== 'function') throw new Failure('must define function transform(x)');
    const json = context.getProp(context.global, 'JSON');
    handles.push(json);
    const parse = context.getProp(json, 'parse');
    handles.push(parse);
    const stringify = context.getProp(json, 'stringify');
    handles.push(stringify);
    const factory = context.unwrapResult(context.evalCode(RUNNER, 'caravan-runner.js'));
    handles.push(factory);
    const runner = context.unwrapResult(context.callFunction(factory, context.undefined, transform, parse, stringify));
    const entry = { runtime, context, runner };
    compiled.set(key, entry);
    while (compiled.size > MAX_COMPILED) {
      const [oldest, evicted] = compiled.entries().next().value;
      compiled.delete(oldest);
      dispose(evicted);
    }
    return entry;
  } catch (error) {
    handles.forEach((handle) => handle.dispose());
    handles.length = 0;
    try { context.dispose(); runtime.dispose(); } catch (_) { /* dropped either way */ }
    throw error;
  } finally {
    handles.forEach((handle) => handle.dispose());
  }
}

function run(module, task) {
  const deadline = Date.now() + task.timeoutMs;
  current = { log: [] };
  let entry;
  try {
    entry = compile(module, task, deadline);
    entry.runtime.setInterruptHandler(() => Date.now() > deadline);
    const argument = entry.context.newString(task.input);
    const result = entry.context.callFunction(entry.runner, entry.context.undefined, argument);
    argument.dispose();
    if (result.error) {
      const error = entry.context.dump(result.error);
      result.error.dispose();
      const described = describe(error, task);
      throw new Failure(described.reason, described.line, described.memory);
    }
    const output = entry.context.typeof(result.value) === 'string' ? entry.context.getString(result.value) : undefined;
    result.value.dispose();
    if (output === undefined) throw new Failure('transform returned undefined');
    return { id: task.id, ok: true, output, log: current.log };
  } catch (error) {
    // A failed call may leave the runtime half-used: the next call compiles afresh.
    const key = task.name + '\u0000' + task.code;
    const broken = compiled.get(key);
    if (broken) { compiled.delete(key); dispose(broken); }
    if (error instanceof Failure) {
      return { id: task.id, ok: false, reason: error.reason, line: error.line, memory: !!error.memory, log: current.log };
    }
    return { id: task.id, ok: false, reason: 'the sandbox failed: ' + String(error && error.message), log: current.log };
  }
}

const { quickjs, emscripten } = load();
quickjs
  .newQuickJSWASMModuleFromVariant({ ...quickjs.RELEASE_SYNC, importModuleLoader: () => Promise.resolve(emscripten) })
  .then((module) => {
    parentPort.on('message', (task) => parentPort.postMessage(run(module, task)));
    parentPort.postMessage({ ready: true });
  });
`;
