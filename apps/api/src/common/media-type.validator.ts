import { ValidateBy, ValidationOptions } from 'class-validator';

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[^"\\\\\\x00-\\x1f\\x7f]|\\\\[\\t\\x20-\\x7e])*"';
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|${QUOTED}))*[ \\t]*$`);

/** A Content-Type value Node will send: `type/subtype` with optional `; name=value` parameters (RFC 9110). */
export function isMediaType(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 255 && MEDIA_TYPE.test(value);
}

/** A media type (or "", which means unset), checked when stored so it can never fail when served. */
export function IsMediaType(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMediaType',
      validator: {
        validate: (value: unknown) => value === '' || isMediaType(value),
        defaultMessage: () => '$property must be a media type such as application/json or text/plain; charset=utf-8',
      },
    },
    options,
  );
}
