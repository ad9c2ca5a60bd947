import { BadRequestException } from '@nestjs/common';
import type { FieldError } from './validation.pipe';

/**
 * A 400 for rules class-validator cannot express (cross-field, cross-row): the same body as
 * the validation pipe's, `message` naming every field and `errors` listing them.
 */
export class InvalidFieldsException extends BadRequestException {
  constructor(readonly fields: FieldError[]) {
    super({ status: false, message: fields.map((entry) => entry.message).join('; '), errors: fields });
  }

  /** One bad field: `field: problem`. */
  static of(field: string, problem: string): InvalidFieldsException {
    return new InvalidFieldsException([{ field, message: `${field}: ${problem}` }]);
  }

  /** Problems already phrased `path: problem` (e.g. validateFilterConfig's). */
  static fromProblems(problems: readonly string[]): InvalidFieldsException {
    return new InvalidFieldsException(
      problems.map((message) => ({ field: message.slice(0, Math.max(0, message.indexOf(':'))) || message, message })),
    );
  }
}
