/**
 * Finds the exact bytes of a top-level member's value in a JSON object document, so the
 * `data` a producer sent is stored, signed and delivered byte for byte (its formatting,
 * key order and escapes intact) instead of being re-serialised. Returns null when the
 * document is not an object or has no such member. Assumes the document already parsed
 * as valid JSON (the caller parsed it), so it only has to track strings and nesting.
 */
export function rawJsonMember(document: Buffer, member: string): Buffer | null {
  const QUOTE = 0x22;
  const BACKSLASH = 0x5c;
  let i = skipWhitespace(document, 0);
  if (document[i] !== 0x7b /* { */) return null;
  i += 1;
  for (;;) {
    i = skipWhitespace(document, i);
    if (document[i] === 0x7d /* } */ || i >= document.length) return null;
    if (document[i] !== QUOTE) return null;
    const keyStart = i;
    i = endOfString(document, i, QUOTE, BACKSLASH);
    const key = JSON.parse(document.subarray(keyStart, i).toString('utf8')) as string;
    i = skipWhitespace(document, i);
    i += 1; // the colon
    i = skipWhitespace(document, i);
    const valueStart = i;
    i = endOfValue(document, i, QUOTE, BACKSLASH);
    if (key === member) {
      // Duplicate keys: JSON.parse keeps the last one, so keep scanning for a later twin.
      const next = skipWhitespace(document, i);
      const later =
        document[next] === 0x2c
          ? rawJsonMember(Buffer.concat([Buffer.from('{'), document.subarray(next + 1)]), member)
          : null;
      return later ?? document.subarray(valueStart, i);
    }
    i = skipWhitespace(document, i);
    if (document[i] === 0x2c /* , */) i += 1;
  }
}

function skipWhitespace(bytes: Buffer, index: number): number {
  let i = index;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) {
    i += 1;
  }
  return i;
}

/** Index just past the string that starts at `index`. */
function endOfString(bytes: Buffer, index: number, quote: number, backslash: number): number {
  let i = index + 1;
  while (i < bytes.length && bytes[i] !== quote) {
    i += bytes[i] === backslash ? 2 : 1;
  }
  return i + 1;
}

/** Index just past the value that starts at `index`. */
function endOfValue(bytes: Buffer, index: number, quote: number, backslash: number): number {
  const first = bytes[index];
  if (first === quote) return endOfString(bytes, index, quote, backslash);
  if (first === 0x7b || first === 0x5b) {
    let depth = 0;
    let i = index;
    while (i < bytes.length) {
      const byte = bytes[i];
      if (byte === quote) {
        i = endOfString(bytes, i, quote, backslash);
        continue;
      }
      if (byte === 0x7b || byte === 0x5b) depth += 1;
      else if (byte === 0x7d || byte === 0x5d) {
        depth -= 1;
        if (depth === 0) return i + 1;
      }
      i += 1;
    }
    return i;
  }
  // A number, true, false or null: up to the next delimiter.
  let i = index;
  while (i < bytes.length && ![0x2c, 0x7d, 0x5d, 0x20, 0x0a, 0x0d, 0x09].includes(bytes[i])) i += 1;
  return i;
}
