import { ValidationOptions } from 'class-validator';
import { IsObjectOf } from '../../common/object-of.validator';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Convoy's `custom_headers`: an object of header name → string value (names must be valid tokens). */
export function IsHeaderMap(options?: ValidationOptions): PropertyDecorator {
  return IsObjectOf(
    'isHeaderMap',
    (name, header) => HEADER_NAME.test(name) && typeof header === 'string' && !/[\r\n\0]/.test(header),
    () => '$property must be an object of header names to string values',
    options,
  );
}
