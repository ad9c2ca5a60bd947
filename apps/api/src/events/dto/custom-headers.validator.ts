import { ValidateBy, ValidationOptions } from 'class-validator';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Convoy's `custom_headers`: an object of header name → string value (names must be valid tokens). */
export function IsHeaderMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHeaderMap',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.entries(value).every(
            ([name, header]) => HEADER_NAME.test(name) && typeof header === 'string' && !/[\r\n\0]/.test(header),
          ),
        defaultMessage: () => '$property must be an object of header names to string values',
      },
    },
    options,
  );
}
