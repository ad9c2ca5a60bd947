import { setFlagsFromString } from 'node:v8';

/**
 * The V8 flag for CARAVAN_HEAP_GROWING_PERCENT, or none for V8's own heuristic. Node refuses
 * this flag in NODE_OPTIONS, so the service sets it itself at boot: V8 reads it each time it
 * sizes the heap after a full collection, so it applies from the first one on.
 */
export function heapGrowingFlag(percent: number): string | undefined {
  return percent > 0 ? `--heap-growing-percent=${Math.round(percent)}` : undefined;
}

export function applyHeapGrowth(percent: number): void {
  const flag = heapGrowingFlag(percent);
  if (flag) setFlagsFromString(flag);
}
