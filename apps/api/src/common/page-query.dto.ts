import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { PageQuery } from '@caravan/persistence';

/** Convoy's paging query parameters, shared by every list route. */
export class PageQueryDto implements PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  perPage?: number;

  @IsOptional()
  @IsIn(['next', 'prev'])
  direction?: 'next' | 'prev';

  @IsOptional()
  @IsString()
  next_page_cursor?: string;

  @IsOptional()
  @IsString()
  prev_page_cursor?: string;

  @IsOptional()
  @IsIn(['ASC', 'DESC'])
  sort?: 'ASC' | 'DESC';
}
