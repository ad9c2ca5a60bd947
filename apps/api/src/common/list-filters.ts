import { BadRequestException } from '@nestjs/common';

/**
 * A repeatable query parameter as Convoy clients send it: `?x=a&x=b` or `?x[]=a&x[]=b`.
 * Undefined when neither form is present, so the filter is not applied.
 */
export function repeated(plain: string[] | undefined, bracketed: string[] | undefined): string[] | undefined {
  const values = [...(plain ?? []), ...(bracketed ?? [])];
  return values.length > 0 ? values : undefined;
}

/** `startDate`/`endDate` (ISO 8601, already validated) as a creation-time range; 400 when reversed. */
export function createdRange(query: { startDate?: string; endDate?: string }): {
  createdFrom?: Date;
  createdTo?: Date;
} {
  const createdFrom = query.startDate ? new Date(query.startDate) : undefined;
  const createdTo = query.endDate ? new Date(query.endDate) : undefined;
  if (createdFrom && createdTo && createdFrom > createdTo) {
    throw new BadRequestException({
      status: false,
      message: 'startDate must not be after endDate',
      errors: [{ field: 'startDate', message: 'startDate must not be after endDate' }],
    });
  }
  return { createdFrom, createdTo };
}
