import { ValidateBy, ValidationOptions } from 'class-validator';
import { parseRequestLocation } from '@caravan/domain';

/** A place in an ingested request in Convoy's syntax (the domain's parser is the one rule). */
export function IsRequestLocation(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRequestLocation',
      validator: {
        validate: (value: unknown) => parseRequestLocation(value) !== null,
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must look like request.header.<name>, request.body.<path> or request.query.<name>`,
      },
    },
    options,
  );
}
