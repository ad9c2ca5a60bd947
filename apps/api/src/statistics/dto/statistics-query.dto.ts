import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsIdListQuery } from '../../common/id-list-query';
import { IsIsoDate } from '../../common/iso-date';

/** A date range; both ends default as Convoy's lists do (the last 7 days). */
export class DateRangeQueryDto {
  @ApiPropertyOptional({ description: 'ISO 8601; default 7 days before endDate' })
  @IsOptional()
  @IsIsoDate()
  startDate?: string;

  @ApiPropertyOptional({ description: 'ISO 8601; default now' })
  @IsOptional()
  @IsIsoDate()
  endDate?: string;
}

export class PeriodFailureRatesQueryDto extends DateRangeQueryDto {
  @ApiPropertyOptional({ type: [String], description: 'Endpoint ids (repeatable); default every endpoint' })
  @IsIdListQuery()
  endpointId?: string[];

  @IsIdListQuery()
  'endpointId[]'?: string[];
}

export const STATISTICS_PERIODS = ['minute', 'hour', 'day'] as const;

export class DeliveryStatisticsQueryDto extends DateRangeQueryDto {
  @ApiPropertyOptional({ enum: STATISTICS_PERIODS, description: 'Bucket width; default hour' })
  @IsOptional()
  @IsIn(STATISTICS_PERIODS)
  period?: (typeof STATISTICS_PERIODS)[number];
}
