import { BadRequestException, Injectable, PipeTransform, type Type } from '@nestjs/common';
import { createValidationPipe, FieldError } from './validation.pipe';

/**
 * A body that is a JSON array of DTOs (Convoy's bulk routes): each element goes through the
 * global pipe's rules (unknown fields ignored, Go zero values unset), errors named `[i].field`.
 * The global pipe skips array bodies, so this one is applied to the parameter.
 */
@Injectable()
export class ParseDtoArrayPipe<T extends object> implements PipeTransform<unknown, Promise<T[]>> {
  private readonly itemPipe = createValidationPipe();

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
    const items: T[] = [];
    const fields: FieldError[] = [];
    for (const [index, element] of value.entries()) {
      if (typeof element !== 'object' || element === null || Array.isArray(element)) {
        fields.push({ field: `[${index}]`, message: `[${index}]: must be an object` });
        continue;
      }
      try {
        items.push(await this.itemPipe.transform(element, { type: 'body', metatype: this.itemType, data: '' }));
      } catch (error) {
        if (!(error instanceof BadRequestException)) throw error;
        const { errors = [] } = error.getResponse() as { errors?: FieldError[] };
        fields.push(
          ...errors.map((entry) => ({ field: `[${index}].${entry.field}`, message: `[${index}].${entry.message}` })),
        );
      }
    }
    if (fields.length > 0) throw refuse(fields);
    return items;
  }
}
