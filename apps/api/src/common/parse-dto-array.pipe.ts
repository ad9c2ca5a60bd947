import { BadRequestException, Injectable, PipeTransform, type Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { describeValidationErrors, FieldError } from './validation.pipe';

/**
 * A body that is a JSON array of DTOs (Convoy's bulk routes): each element validated like a
 * single body (unknown fields refused), errors named `[i].field`. The global pipe skips
 * array bodies, so this one is applied to the parameter.
 */
@Injectable()
export class ParseDtoArrayPipe<T extends object> implements PipeTransform<unknown, Promise<T[]>> {
  constructor(
    private readonly itemType: Type<T>,
    private readonly maxItems: number,
  ) {}

  async transform(value: unknown): Promise<T[]> {
    const refuse = (fields: FieldError[]) =>
      new BadRequestException({ status: false, message: fields.map((f) => f.message).join('; '), errors: fields });
    if (!Array.isArray(value)) throw refuse([{ field: 'body', message: 'body: must be a JSON array' }]);
    if (value.length === 0 || value.length > this.maxItems) {
      throw refuse([{ field: 'body', message: `body: must hold 1 to ${this.maxItems} items` }]);
    }
    const items = value.map((item) => plainToInstance(this.itemType, item as object));
    const fields: FieldError[] = [];
    for (const [index, item] of items.entries()) {
      if (typeof value[index] !== 'object' || value[index] === null || Array.isArray(value[index])) {
        fields.push({ field: `[${index}]`, message: `[${index}]: must be an object` });
        continue;
      }
      const errors = await validate(item, { whitelist: true, forbidNonWhitelisted: true });
      fields.push(...describeValidationErrors(errors, `[${index}]`));
    }
    if (fields.length > 0) throw refuse(fields);
    return items;
  }
}
