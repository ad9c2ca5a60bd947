import { WORKSPACE_ROOT } from '@caravan/testing';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// CPU time of processes on this machine from /proc (utime + stime), as bench/process-usage.mjs
// reads it for the end-to-end bench: on a shared 2-core machine CPU per message is the stable
// figure, wall-clock throughput moves with whatever else runs.

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** The state directory of scripts/infra.sh (pidfiles), as it computes it. */
export const STATE_DIR = process.env['CARAVAN_STATE_DIR'] ?? join(WORKSPACE_ROOT, '.run');

/** utime + stime of a process in ms, or undefined once it has gone. */
export function cpuMs(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS : undefined;
}

/** The fields of /proc/<pid>/stat after the command name (so index 0 is field 3, the state). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** How a broker's server process is recognised: its pidfile under STATE_DIR, else its command line. */
export interface BrokerProcess {
  /** Relative to STATE_DIR. */
  pidfile?: string;
  /** The pidfile names the process group's leader (gcloud for the Pub/Sub emulator), not the server. */
  pidfileIsGroupLeader?: boolean;
  /** The server's executable ends with this (java, beam.smp). */
  executable: string;
  /** Its command line contains every one of these. */
  contains: string[];
}

/**
 * The pid of a broker's server process: the one the pidfile of scripts/infra.sh names (or a
 * member of that process group) when it matches, else the only process on the machine that
 * matches, else the first (lowest pid). Undefined when none runs here (a remote broker).
 */
export function findBrokerPid(broker: BrokerProcess): number | undefined {
  const matches = (pid: number) => {
    const args = cmdline(pid);
    const line = args.join(' ');
    return (args[0] ?? '').endsWith(broker.executable) && broker.contains.every((text) => line.includes(text));
  };
  if (broker.pidfile) {
    try {
      const listed = Number(readFileSync(join(STATE_DIR, broker.pidfile), 'utf8').trim().split('\n')[0]);
      if (broker.pidfileIsGroupLeader) {
        const member = allPids().find((pid) => statFields(pid)?.[2] === String(listed) && matches(pid));
        if (member) return member;
      } else if (matches(listed)) {
        return listed;
      }
    } catch {
      // no pidfile: look for the process
    }
  }
  return allPids().find(matches);
}

/**
 * CPU spent over a window by named processes plus a changing set (Postgres backends come and go
 * with the pools): sampled at the start and at the end; a process first seen at the end counts
 * from zero, one gone by the end is lost (its last figures are unknowable).
 */
export class CpuWindow<Name extends string> {
  private readonly start = new Map<Name, number>();
  private readonly dynamicStart = new Map<number, number>();

  constructor(
    private readonly named: Record<Name, number | undefined>,
    private readonly listDynamic: () => Promise<number[]> = async () => [],
  ) {}

  async begin(): Promise<void> {
    for (const [name, pid] of this.entries()) this.start.set(name, pid === undefined ? NaN : (cpuMs(pid) ?? NaN));
    for (const pid of await this.listDynamic()) this.dynamicStart.set(pid, cpuMs(pid) ?? 0);
  }

  /** ms of CPU per process name (NaN for a process not found), and `dynamic` for the changing set. */
  async end(): Promise<Record<Name | 'dynamic', number>> {
    const spent = {} as Record<Name | 'dynamic', number>;
    for (const [name, pid] of this.entries()) {
      spent[name] = (pid === undefined ? NaN : (cpuMs(pid) ?? NaN)) - (this.start.get(name) ?? NaN);
    }
    let dynamic = 0;
    for (const pid of await this.listDynamic()) {
      const now = cpuMs(pid);
      if (now !== undefined) dynamic += now - (this.dynamicStart.get(pid) ?? 0);
    }
    spent.dynamic = dynamic;
    return spent;
  }

  private entries(): Array<[Name, number | undefined]> {
    return Object.entries(this.named) as Array<[Name, number | undefined]>;
  }
}
