import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * A JSON object (not null, not an array) whose every entry passes `entryValid`; `message`
 * gets the first entry's key that does not (undefined when the value is not an object at all).
 */
export function IsObjectOf(
  name: string,
  entryValid: (key: string, value: unknown) => boolean,
  message: (badKey: string | undefined) => string,
  options?: ValidationOptions,
): PropertyDecorator {
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  const firstBadKey = (value: Record<string, unknown>) =>
    Object.entries(value).find(([key, entry]) => !entryValid(key, entry))?.[0];
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown) => isObject(value) && firstBadKey(value) === undefined,
        defaultMessage: (args) => {
          const value = args?.value as unknown;
          return message(isObject(value) ? firstBadKey(value) : undefined);
        },
      },
    },
    options,
  );
}
