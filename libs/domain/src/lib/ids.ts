import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** A new ULID: sortable by creation time, so ids double as stable cursor keys. */
export function newId(): string {
  return nextUlid();
}

const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isUlid(value: string): boolean {
  return ULID_PATTERN.test(value);
}
