import { ValidateBy, ValidationOptions } from 'class-validator';

function isHeaderValue(value: unknown): boolean {
  return typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
}

/**
 * A sample request's headers for the filter testers: header name → a string or an array of
 * strings, as a request carries them. The message names the first header that is not.
 */
export function IsSampleHeaders(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSampleHeaders',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.values(value).every(isHeaderValue),
        defaultMessage: (args) => {
          const value = args?.value as unknown;
          const bad =
            typeof value === 'object' && value !== null && !Array.isArray(value)
              ? Object.entries(value).find(([, header]) => !isHeaderValue(header))?.[0]
              : undefined;
          return bad === undefined
            ? '$property must be an object of header names to a string or an array of strings'
            : `$property must map every header name to a string or an array of strings (${bad} does not)`;
        },
      },
    },
    options,
  );
}
