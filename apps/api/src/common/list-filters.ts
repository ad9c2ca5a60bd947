import { InvalidFieldsException } from './invalid-fields.exception';
import { parseIsoDate } from './iso-date';

/** Without dates, lists and batch operations cover this many days back (Convoy's default). */
export const DEFAULT_LOOKBACK_DAYS = 7;
const DAY_MS = 86_400_000;

/**
 * A repeatable query parameter as Convoy clients send it: `?x=a&x=b` or `?x[]=a&x[]=b`.
 * Undefined when neither form is present, so the filter is not applied.
 */
export function repeated<T extends string>(plain: T[] | undefined, bracketed: T[] | undefined): T[] | undefined {
  const values = [...(plain ?? []), ...(bracketed ?? [])];
  return values.length > 0 ? values : undefined;
}

/** A query date as Convoy reads it: ISO 8601 (see parseIsoDate); without a zone, UTC. */
export function parseQueryDate(field: string, value: string): Date {
  const date = parseIsoDate(value);
  if (!date) throw InvalidFieldsException.of(field, 'must be an ISO 8601 date and time');
  return date;
}

/**
 * `startDate`/`endDate` as a creation-time range; 400 when reversed. Without a start, the
 * range begins DEFAULT_LOOKBACK_DAYS before the end (or now), as Convoy's lists do.
 */
export function createdRange(
  query: { startDate?: string; endDate?: string },
  now = new Date(),
): {
  createdFrom: Date;
  createdTo?: Date;
} {
  const createdTo = query.endDate ? parseQueryDate('endDate', query.endDate) : undefined;
  const createdFrom = query.startDate
    ? parseQueryDate('startDate', query.startDate)
    : new Date((createdTo ?? now).getTime() - DEFAULT_LOOKBACK_DAYS * DAY_MS);
  if (createdTo && createdFrom > createdTo) {
    throw InvalidFieldsException.of('startDate', 'must not be after endDate');
  }
  return { createdFrom, createdTo };
}
