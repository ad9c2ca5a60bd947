import { applyDecorators } from '@nestjs/common';
import { IsString, Matches, MaxLength } from 'class-validator';

/** Largest tenant function accepted (source body/header functions, subscription functions). */
export const MAX_FUNCTION_LENGTH = 64 * 1024;
const TRANSFORM_FUNCTION = /function\s+transform\s*\(/;

/** A tenant function: JavaScript text declaring `function transform(…)`, of bounded size. */
export function IsTransformFunction(field: string): PropertyDecorator {
  return applyDecorators(
    IsString(),
    MaxLength(MAX_FUNCTION_LENGTH),
    Matches(TRANSFORM_FUNCTION, { message: `${field} must declare function transform(…)` }),
  );
}
