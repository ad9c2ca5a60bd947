import { DateTime } from 'luxon';
import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * An ISO 8601 date or date-time as an instant, or null when it is not one. Every form the
 * standard allows is read (calendar, week `2024-W01-1` and ordinal `2024-001` dates, basic
 * `20240101T100000Z` and extended forms, `,` or `.` fractions, a space for the `T`); without
 * a zone it is UTC. A date that does not exist (`2024-02-30`, `2024-W53-1`) is null, never
 * an Invalid Date handed to Postgres.
 */
export function parseIsoDate(value: string): Date | null {
  const text = value.trim().replace(/^(\S+)\s+(?=\d)/, '$1T');
  const parsed = DateTime.fromISO(text, { zone: 'utc' });
  if (!parsed.isValid) return null;
  const date = parsed.toJSDate();
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The field is a string parseIsoDate reads; the 400 names it. */
export function IsIsoDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIsoDate',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseIsoDate(value) !== null,
        defaultMessage: () => '$property must be an ISO 8601 date or date-time that exists (without a zone, UTC)',
      },
    },
    options,
  );
}
