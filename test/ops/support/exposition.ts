/** Reads Prometheus text exposition (what prom-client's /metrics answers). */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type?: string;
  help?: string;
  samples: Sample[];
}

const FAMILY_SUFFIXES = ['_bucket', '_sum', '_count'];

function parseLabelBlock(block: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [, name, raw] of block.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
    labels[name] = raw.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  return labels;
}

/** Families by name, each with its TYPE, HELP and samples (histogram series folded in). */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, samples: [] }));
    return f;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') family(meta[2]).type = meta[3].trim();
      else family(meta[2]).help = meta[3];
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!m) throw new Error(`unreadable exposition line: ${line}`);
    const [, name, block, value] = m;
    const suffix = FAMILY_SUFFIXES.find((s) => name.endsWith(s));
    const base = suffix && families.has(name.slice(0, -suffix.length)) ? name.slice(0, -suffix.length) : name;
    family(base).samples.push({ name, labels: block ? parseLabelBlock(block) : {}, value: Number(value) });
  }
  return families;
}
