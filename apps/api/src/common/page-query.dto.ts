import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE, PageQuery } from '@caravan/persistence';

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);
const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);

/**
 * Convoy's paging query parameters, shared by every list route. `perPage` is never a 400 (as
 * Convoy): a value that is not a positive integer means the default, a larger one the cap.
 */
export class PageQueryDto implements PageQuery {
  @ApiPropertyOptional({
    type: Number,
    default: DEFAULT_PER_PAGE,
    maximum: MAX_PER_PAGE,
    description: `Rows per page; more than ${MAX_PER_PAGE} is served ${MAX_PER_PAGE} (pagination.per_page tells)`,
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => {
    const requested = Math.trunc(Number(value));
    return Number.isFinite(requested) && requested >= 1 ? requested : undefined;
  })
  perPage?: number;

  @ApiPropertyOptional({ enum: ['next', 'prev'] })
  @IsOptional()
  @Transform(lower)
  @IsIn(['next', 'prev'])
  direction?: 'next' | 'prev';

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  next_page_cursor?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  prev_page_cursor?: string;

  @ApiPropertyOptional({ enum: ['ASC', 'DESC'], default: 'DESC', description: 'Case-insensitive' })
  @IsOptional()
  @Transform(upper)
  @IsIn(['ASC', 'DESC'])
  sort?: 'ASC' | 'DESC';
}
