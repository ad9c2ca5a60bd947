// CPU time and memory of processes on this machine, read from /proc: the stable figures on a
// shared machine (wall-clock throughput moves with whatever else runs; CPU per event does not).
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** utime + stime of a process in ms, or undefined once it has gone. */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Peak (VmHWM) and current (VmRSS) resident memory in MB, or undefined once it has gone. */
export function memoryMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peak: Math.round(kb('VmHWM') / 1024), current: Math.round(kb('VmRSS') / 1024) };
  } catch {
    return undefined;
  }
}

/**
 * CPU spent over a window by a fixed set of processes plus a changing set (Postgres backends
 * come and go with the pools): sample at the start, sample at the end; a process first seen at
 * the end counts from zero.
 */
export class CpuWindow {
  constructor(named, listDynamic) {
    this.named = named; // { api: pid, dispatcher: pid }
    this.listDynamic = listDynamic; // async () => pids
    this.start = new Map();
  }

  async begin() {
    for (const [name, pid] of Object.entries(this.named)) this.start.set(name, cpuMs(pid) ?? 0);
    this.dynamicStart = new Map();
    for (const pid of await this.listDynamic()) this.dynamicStart.set(pid, cpuMs(pid) ?? 0);
  }

  async end() {
    const spent = {};
    for (const [name, pid] of Object.entries(this.named)) spent[name] = (cpuMs(pid) ?? 0) - this.start.get(name);
    let dynamic = 0;
    for (const pid of await this.listDynamic()) {
      const now = cpuMs(pid);
      if (now !== undefined) dynamic += now - (this.dynamicStart.get(pid) ?? 0);
    }
    spent.postgres = dynamic;
    return spent;
  }
}
