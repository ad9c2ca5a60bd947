import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import type { ValidatorOptions } from '@nestjs/common/interfaces/external/validator-options.interface';
import { getMetadataStorage, IS_OPTIONAL, ValidationTypes } from 'class-validator';
import { recordIgnoredFields } from './ignored-fields.context';
import { NULL_IS_UNSET } from './null-is-unset.decorator';

/** Most field errors one 400 lists. */
export const MAX_REPORTED_ERRORS = 20;

export interface FieldError {
  field: string;
  message: string;
}

const UNKNOWN_FIELD = 'whitelistValidation';

/** `a.b[0].c`: the dotted path of a property under its parent's path. */
function pathOf(parent: string, property: string): string {
  return /^\d+$/.test(property) ? `${parent}[${property}]` : parent ? `${parent}.${property}` : property;
}

/** Flattens class-validator's tree into `a.b[0].c: problem` entries that name every field. */
export function describeValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = pathOf(parent, error.property);
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.startsWith(`${error.property} `)
        ? `${field}${message.slice(error.property.length)}`
        : `${field}: ${message}`,
    }));
    return [...own, ...describeValidationErrors(error.children ?? [], field)];
  });
}

interface ZeroValueRules {
  /** Optional properties: "" there means "not set". */
  optional: Set<string>;
  /** Optional numeric properties whose minimum is above 0: 0 there means "not set". */
  positive: Set<string>;
  /** Optional arrays and maps: null (a nil slice or map in Go) there means "not set". */
  collections: Set<string>;
  /** Properties marked @NullIsUnset: null there means "not set", required or not. */
  nullUnset: Set<string>;
}

const COLLECTION_RULES = new Set(['isArray', 'isObject', 'isHeaderMap']);

const rulesByClass = new WeakMap<object, ZeroValueRules>();

/** Which properties of a DTO class treat Go's zero values as "not set" (PartialType makes every one optional). */
function zeroValueRules(target: object): ZeroValueRules {
  let rules = rulesByClass.get(target);
  if (!rules) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(target as new () => object, '', true, false);
    const optional = new Set(
      metadata
        .filter((entry) => entry.type === ValidationTypes.CONDITIONAL_VALIDATION && entry.name === IS_OPTIONAL)
        .map((entry) => entry.propertyName),
    );
    const positive = new Set(
      metadata
        .filter(
          (entry) => entry.name === 'min' && Number(entry.constraints?.[0]) > 0 && optional.has(entry.propertyName),
        )
        .map((entry) => entry.propertyName),
    );
    const collections = new Set(
      metadata
        .filter((entry) => COLLECTION_RULES.has(entry.name ?? '') && optional.has(entry.propertyName))
        .map((entry) => entry.propertyName),
    );
    const nullUnset = new Set(
      metadata.filter((entry) => entry.name === NULL_IS_UNSET).map((entry) => entry.propertyName),
    );
    rules = { optional, positive, collections, nullUnset };
    rulesByClass.set(target, rules);
  }
  return rules;
}

/**
 * Go clients send a zero value for every field they leave unset, so, as Convoy reads them:
 * an optional property given as "" is "not set", and so are an optional number given as 0
 * where 0 is not a valid value (a timeout, a duration) and an optional array or map given as
 * null (Go's nil slice or map), and null wherever a DTO marks it @NullIsUnset. They are removed, in nested DTOs too, before validation. A required property keeps its "" and fails its own rule, naming it.
 */
export function clearGoZeroValues(value: unknown): void {
  if (Array.isArray(value)) {
    value.filter(isDtoInstance).forEach(clearGoZeroValues);
    return;
  }
  if (!isDtoInstance(value)) return;
  const { optional, positive, collections, nullUnset } = zeroValueRules(value.constructor);
  const record = value as Record<string, unknown>;
  for (const [name, property] of Object.entries(record)) {
    const unset =
      (property === '' && optional.has(name)) ||
      (property === 0 && positive.has(name)) ||
      (property === null && (collections.has(name) || nullUnset.has(name)));
    if (unset) delete record[name];
    else clearGoZeroValues(property);
  }
}

/** An instance of a DTO class (class-transformer builds one per nested DTO); free-form JSON is left alone. */
function isDtoInstance(value: unknown): value is object {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof value.constructor === 'function' &&
    value.constructor !== Object &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof Date)
  );
}

/**
 * Takes the unknown-field errors out of the tree: each unknown property is deleted from the
 * object it was found in and its dotted path collected. What is left are the real problems.
 */
function withoutUnknownFields(errors: ValidationError[], parent: string, unknown: string[]): ValidationError[] {
  return errors.flatMap((error) => {
    const path = pathOf(parent, error.property);
    const constraints = { ...error.constraints };
    if (constraints[UNKNOWN_FIELD] !== undefined) {
      unknown.push(path);
      if (error.target) delete (error.target as Record<string, unknown>)[error.property];
      delete constraints[UNKNOWN_FIELD];
    }
    const children = withoutUnknownFields(error.children ?? [], path, unknown);
    if (Object.keys(constraints).length === 0 && children.length === 0) return [];
    return [{ ...error, constraints: Object.keys(constraints).length > 0 ? constraints : undefined, children }];
  });
}

/**
 * Validates every body and query against its DTO, as Convoy reads them: unknown fields and
 * parameters are dropped and named in the Caravan-Ignored-Fields header, Go's zero values are
 * "not set" for optional fields (see clearGoZeroValues), and a known field with a bad value is a 400 naming each bad field in
 * `message` and `errors`.
 */
class ConvoyValidationPipe extends ValidationPipe {
  protected override async validate(object: object, validatorOptions?: ValidatorOptions): Promise<ValidationError[]> {
    clearGoZeroValues(object);
    const errors = await super.validate(object, {
      ...validatorOptions,
      // The unknown-field errors need their target: it is the object they are deleted from.
      validationError: { ...validatorOptions?.validationError, target: true },
    });
    const unknown: string[] = [];
    const remaining = withoutUnknownFields(errors, '', unknown);
    recordIgnoredFields(unknown);
    return remaining;
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ConvoyValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const all = describeValidationErrors(errors);
      // A body with thousands of bad fields gets a bounded answer, not one entry per field.
      const fields = all.slice(0, MAX_REPORTED_ERRORS);
      const more = all.length - fields.length;
      return new BadRequestException({
        status: false,
        message: fields.map((entry) => entry.message).join('; ') + (more > 0 ? `; and ${more} more` : ''),
        errors: fields,
      });
    },
  });
}
