import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString } from 'class-validator';

/**
 * A repeatable query parameter (`?a=1&a=2` arrives as an array, a single one as a string);
 * empty values are "not set", so `?a=` applies no filter.
 */
export const toArray = ({ value }: { value: unknown }): unknown => {
  if (value === undefined) return undefined;
  const values = (Array.isArray(value) ? value : [value]).filter((item) => item !== '');
  return values.length > 0 ? values : undefined;
};

/** An optional, repeatable list of ids in a query (`endpointId`, `sourceId` …), at most 100. */
export function IsIdListQuery(): PropertyDecorator {
  return applyDecorators(IsOptional(), Transform(toArray), IsArray(), ArrayMaxSize(100), IsString({ each: true }));
}
