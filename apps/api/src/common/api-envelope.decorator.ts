import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';

/**
 * Documents a response in Convoy's envelope (`{status, message, data}`), `data` being `model`
 * (an array of it with `isArray`), or null without a model.
 */
export function ApiEnvelope(status: number, model?: Type<unknown>, options: { isArray?: boolean } = {}) {
  const data = !model
    ? { nullable: true }
    : options.isArray
      ? { type: 'array', items: { $ref: getSchemaPath(model) } }
      : { $ref: getSchemaPath(model) };
  return applyDecorators(
    ...(model ? [ApiExtraModels(model)] : []),
    ApiResponse({
      status,
      schema: {
        type: 'object',
        required: ['status', 'message', 'data'],
        properties: { status: { type: 'boolean' }, message: { type: 'string' }, data },
      },
    }),
  );
}
