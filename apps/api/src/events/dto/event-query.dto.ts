import { IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto';
import { IsIsoDate } from '../../common/iso-date';

/**
 * A repeatable query parameter (`?a=1&a=2` arrives as an array, a single one as a string);
 * empty values are "not set", so `?a=` applies no filter.
 */
export const toArray = ({ value }: { value: unknown }): unknown => {
  if (value === undefined) return undefined;
  const values = (Array.isArray(value) ? value : [value]).filter((item) => item !== '');
  return values.length > 0 ? values : undefined;
};

/** `GET /events` and `POST /events/batchreplay` filters (Convoy's names). */
export class EventFilterQueryDto {
  @IsOptional()
  @Transform(toArray)
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  endpointId?: string[];

  /** Convoy clients also send the bracketed form. */
  @IsOptional()
  @Transform(toArray)
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  'endpointId[]'?: string[];

  @IsOptional()
  @Transform(toArray)
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  sourceId?: string[];

  @IsOptional()
  @Transform(toArray)
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  'sourceId[]'?: string[];

  @IsOptional()
  @IsString()
  idempotencyKey?: string;

  @IsOptional()
  @IsString()
  ownerId?: string;

  /** Case-insensitive match on the event type, or the exact text anywhere in the body. */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  query?: string;

  @IsOptional()
  @IsIsoDate()
  startDate?: string;

  @IsOptional()
  @IsIsoDate()
  endDate?: string;
}

/** `GET /events`: the filters plus Convoy's paging. */
export class EventListQueryDto extends IntersectionType(PageQueryDto, EventFilterQueryDto) {}
