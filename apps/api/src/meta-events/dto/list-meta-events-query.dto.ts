import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto';
import { IsIsoDate } from '../../common/iso-date';

/** `GET /meta-events`: paging plus a creation-time range (the last 7 days when absent). */
export class ListMetaEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: '2006-01-02T15:04:05', description: 'ISO 8601; without a zone, UTC' })
  @IsOptional()
  @IsIsoDate()
  startDate?: string;

  @ApiPropertyOptional({ example: '2006-01-02T15:04:05', description: 'ISO 8601; without a zone, UTC' })
  @IsOptional()
  @IsIsoDate()
  endDate?: string;
}
