import { ValidationOptions } from 'class-validator';
import { IsObjectOf } from '../../common/object-of.validator';

function isHeaderValue(value: unknown): boolean {
  return typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
}

/**
 * A sample request's headers for the filter testers: header name → a string or an array of
 * strings, as a request carries them. The message names the first header that is not.
 */
export function IsSampleHeaders(options?: ValidationOptions): PropertyDecorator {
  return IsObjectOf(
    'isSampleHeaders',
    (_name, header) => isHeaderValue(header),
    (bad) =>
      bad === undefined
        ? '$property must be an object of header names to a string or an array of strings'
        : `$property must map every header name to a string or an array of strings (${bad} does not)`,
    options,
  );
}
