import { ValidateIf } from 'class-validator';

/**
 * Like @IsOptional, but an empty string also counts as "not given": Convoy's clients (Go
 * structs) send `""` for optional strings they leave unset.
 */
export function OptionalUnlessEmpty(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined && value !== null && value !== '');
}
