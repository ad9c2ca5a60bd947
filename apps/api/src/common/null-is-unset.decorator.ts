import { ValidateBy } from 'class-validator';

export const NULL_IS_UNSET = 'nullIsUnset';

/**
 * `null` for this property means "not set", as Go reads a JSON null into a plain (non-pointer)
 * field of Convoy's request structs: the zero value. The validation pipe removes it before
 * validation (clearGoZeroValues), so an optional property keeps its default (or, on an
 * update, its stored value) and a required one fails its own rule, naming it. Fields where
 * Convoy gives null a meaning of its own (a subscription's `function`, an endpoint's `authentication` and
 * `mtls_client_cert`: null removes them)
 * do not carry this. Inherited by PartialType, so update bodies read null the same way.
 */
export function NullIsUnset(): PropertyDecorator {
  return ValidateBy({ name: NULL_IS_UNSET, validator: { validate: () => true } });
}
