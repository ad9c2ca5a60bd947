import { IntersectionType } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto';
import { IsIsoDate } from '../../common/iso-date';
import { IsIdListQuery } from '../../common/id-list-query';

/** `GET /events` and `POST /events/batchreplay` filters (Convoy's names). */
export class EventFilterQueryDto {
  @IsIdListQuery()
  endpointId?: string[];

  /** Convoy clients also send the bracketed form. */
  @IsIdListQuery()
  'endpointId[]'?: string[];

  @IsIdListQuery()
  sourceId?: string[];

  @IsIdListQuery()
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
