import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SANDBOX_WORKER_SOURCE } from './sandbox-worker.source';
import { TransformFailedError, TransformFunctionName, truncate } from './transform-failed.error';

export interface TransformPoolOptions {
  /** Worker threads running functions in parallel. */
  workers: number;
  /** Limit of one call (compiling included), enforced inside QuickJS and, failing that, by terminating the worker. */
  timeoutMs: number;
  /** QuickJS heap limit of each function. */
  memoryBytes: number;
}

export interface TransformOutput {
  value: unknown;
  /** What the function printed with console.log (bounded). */
  log: string[];
}

/**
 * How long past its limit a call may run before its worker is terminated: QuickJS checks its
 * deadline between bytecodes, not inside a builtin or its GC, so the host enforces it too.
 */
const HARD_DEADLINE_GRACE_MS = 250;
/** V8 limits of each worker thread (QuickJS's own heap is bounded by memoryBytes). */
const WORKER_RESOURCE_LIMITS = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8, stackSizeMb: 4 };
/** Calls waiting for a worker before new ones are refused. */
const MAX_QUEUED = 10_000;

interface Task {
  name: TransformFunctionName;
  code: string;
  input: string;
  resolve(output: TransformOutput): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task?: Task & { id: number; timer: NodeJS.Timeout };
}

type WorkerReply =
  | { ready: true }
  | { id: number; ok: true; output: string; log: string[] }
  | { id: number; ok: false; reason: string; line?: number; memory?: boolean; log: string[] };

/**
 * Tenant JavaScript (source body/header functions, subscription functions) run off the main
 * thread: a pool of worker threads, each with V8 resource limits and one shared QuickJS module.
 * A call that outlives its limit has its worker terminated (memory returned to the OS) and
 * replaced; a worker that dies fails only its call. The host's event loop never runs tenant
 * code, so no function can stall it or grow its heap.
 */
export class TransformPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: TransformPoolOptions) {}

  get limits(): Pick<TransformPoolOptions, 'timeoutMs' | 'memoryBytes'> {
    return { timeoutMs: this.options.timeoutMs, memoryBytes: this.options.memoryBytes };
  }

  /** Runs `transform(input)` from `code`; rejects with TransformFailedError. */
  run(name: TransformFunctionName, code: string, input: unknown): Promise<TransformOutput> {
    if (this.closed) return Promise.reject(new TransformFailedError(name, 'the sandbox is shut down'));
    if (this.queue.length >= MAX_QUEUED) return Promise.reject(new TransformFailedError(name, 'the sandbox is busy'));
    let text: string;
    try {
      text = JSON.stringify(input ?? null);
    } catch (error) {
      return Promise.reject(new TransformFailedError(name, `input is not JSON: ${(error as Error).message}`));
    }
    return new Promise<TransformOutput>((resolve, reject) => {
      this.queue.push({ name, code, input: text, resolve, reject });
      this.pump();
    });
  }

  /** Nest's shutdown hook, for the apps that provide the pool (see libs/platform's PlatformModule). */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /** Terminates every worker; calls still waiting fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0))
      task.reject(new TransformFailedError(task.name, 'the sandbox is shut down'));
    await Promise.all(
      this.slots.splice(0).map((slot) => {
        if (slot.task) {
          clearTimeout(slot.task.timer);
          slot.task.reject(new TransformFailedError(slot.task.name, 'the sandbox is shut down'));
        }
        return slot.worker.terminate();
      }),
    );
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((candidate) => candidate.ready && !candidate.task);
      if (!slot) {
        if (this.slots.length < this.options.workers) this.spawn();
        return;
      }
      this.dispatch(slot, this.queue.shift() as Task);
    }
  }

  private dispatch(slot: Slot, task: Task): void {
    const id = this.nextId++;
    const timer = setTimeout(() => this.kill(slot, 'time'), this.options.timeoutMs + HARD_DEADLINE_GRACE_MS);
    slot.task = { ...task, id, timer };
    slot.worker.ref();
    slot.worker.postMessage({
      id,
      name: task.name,
      code: task.code,
      input: task.input,
      timeoutMs: this.options.timeoutMs,
      memoryBytes: this.options.memoryBytes,
    });
  }

  private spawn(): void {
    const worker = new Worker(SANDBOX_WORKER_SOURCE, {
      eval: true,
      // Where quickjs-emscripten is installed: next to the bundle (images), or the workspace.
      workerData: { resolveFrom: [join(process.cwd(), 'package.json'), process.argv[1] ?? __filename] },
      resourceLimits: WORKER_RESOURCE_LIMITS,
    });
    const slot: Slot = { worker, ready: false };
    this.slots.push(slot);
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.onReply(slot, reply));
    worker.on('error', (error: Error & { code?: string }) =>
      this.kill(slot, error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash', error),
    );
    worker.on('exit', () => this.kill(slot, 'crash'));
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    if ('ready' in reply) {
      slot.ready = true;
      this.pump();
      return;
    }
    const task = slot.task;
    if (!task || task.id !== reply.id) return;
    clearTimeout(task.timer);
    slot.task = undefined;
    slot.worker.unref();
    if (reply.ok) {
      try {
        task.resolve({ value: JSON.parse(reply.output), log: reply.log });
      } catch {
        task.reject(new TransformFailedError(task.name, 'transform returned something that is not JSON'));
      }
    } else {
      task.reject(new TransformFailedError(task.name, reply.reason, reply.line));
      // A heap that hit its limit grew the worker's WebAssembly memory, which is never given back.
      if (reply.memory) this.kill(slot, 'recycle');
    }
    this.pump();
  }

  /** Removes a worker (terminating it) and fails its call, if any; a new worker takes its place on demand. */
  private kill(slot: Slot, why: 'time' | 'memory' | 'crash' | 'recycle', error?: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    const task = slot.task;
    slot.task = undefined;
    void slot.worker.terminate();
    if (task) {
      clearTimeout(task.timer);
      const reason =
        why === 'time'
          ? `exceeded its time limit of ${this.options.timeoutMs} ms`
          : why === 'memory'
            ? `exceeded its memory limit of ${this.options.memoryBytes} bytes`
            : `the sandbox failed${error ? `: ${truncate(error.message, 200)}` : ''}`;
      task.reject(new TransformFailedError(task.name, reason));
    }
    if (!this.closed) this.pump();
  }
}
