import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/** Random bytes drawn from the OS this many at a time. */
const POOL_BYTES = 4096;

/**
 * ulid's default source asks the OS for one byte per character, sixteen calls per id; this
 * one refills a pool of crypto-random bytes once per 4,096 characters. Each value is a byte
 * over 256, as the default's is, so every character stays uniform over the alphabet.
 */
export function pooledRandom(fill: (pool: Uint8Array) => void = randomFillSync): () => number {
  const pool = new Uint8Array(POOL_BYTES);
  let next = POOL_BYTES;
  return () => {
    if (next === POOL_BYTES) {
      fill(pool);
      next = 0;
    }
    return pool[next++] / 256;
  };
}

const nextUlid = monotonicFactory(pooledRandom());

/** A new ULID: sortable by creation time, so ids double as stable cursor keys. */
export function newId(): string {
  return nextUlid();
}

const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isUlid(value: string): boolean {
  return ULID_PATTERN.test(value);
}
