import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

/** Most field errors one 400 lists. */
export const MAX_REPORTED_ERRORS = 20;

export interface FieldError {
  field: string;
  message: string;
}

/** Flattens class-validator's tree into `a.b[0].c: problem` entries that name every field. */
export function describeValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent
        ? `${parent}.${error.property}`
        : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: /^property \S+ should not exist$/.test(message)
        ? `${field} is not a known field`
        : message.startsWith(`${error.property} `)
          ? `${field}${message.slice(error.property.length)}`
          : `${field}: ${message}`,
    }));
    return [...own, ...describeValidationErrors(error.children ?? [], field)];
  });
}

/**
 * Validates every body and query against its DTO: unknown fields are refused (400 naming
 * them), types are converted, and the 400 names each bad field in `message` and `errors`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
