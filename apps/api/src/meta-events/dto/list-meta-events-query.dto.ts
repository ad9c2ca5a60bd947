import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto';

/** `GET /meta-events`: paging plus a creation-time range (the last 7 days when absent). */
export class ListMetaEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: '2006-01-02T15:04:05', description: 'ISO 8601; without a zone, UTC' })
  @IsOptional()
  @IsISO8601()
  startDate?: string;

  @ApiPropertyOptional({ example: '2006-01-02T15:04:05', description: 'ISO 8601; without a zone, UTC' })
  @IsOptional()
  @IsISO8601()
  endDate?: string;
}
