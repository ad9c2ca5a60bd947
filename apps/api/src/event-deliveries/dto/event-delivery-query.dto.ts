import { IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsOptional, IsString, MinLength } from 'class-validator';
import { DeliveryStatus } from '@caravan/domain';
import { PageQueryDto } from '../../common/page-query.dto';
import { IsIdListQuery, toArray } from '../../common/id-list-query';
import { IsIsoDate } from '../../common/iso-date';

const STATUSES = Object.values(DeliveryStatus);

/** `GET /eventdeliveries` and `POST /eventdeliveries/batchretry` filters (Convoy's names, both array spellings). */
export class EventDeliveryFilterQueryDto {
  @IsIdListQuery()
  endpointId?: string[];

  @IsIdListQuery()
  'endpointId[]'?: string[];

  @IsOptional()
  @IsString()
  eventId?: string;

  @IsOptional()
  @IsString()
  subscriptionId?: string;

  @IsOptional()
  @IsString()
  idempotencyKey?: string;

  @IsOptional()
  @IsString()
  eventType?: string;

  /** Convoy's OpenAPI spelling of eventType. */
  @IsOptional()
  @IsString()
  event_type?: string;

  @IsOptional()
  @Transform(toArray)
  @IsArray()
  @IsIn(STATUSES, { each: true, message: `status must each be one of ${STATUSES.join(', ')}` })
  status?: DeliveryStatus[];

  @IsOptional()
  @Transform(toArray)
  @IsArray()
  @IsIn(STATUSES, { each: true, message: `status[] must each be one of ${STATUSES.join(', ')}` })
  'status[]'?: DeliveryStatus[];

  @IsOptional()
  @IsIsoDate()
  startDate?: string;

  @IsOptional()
  @IsIsoDate()
  endDate?: string;
}

export class EventDeliveryListQueryDto extends IntersectionType(PageQueryDto, EventDeliveryFilterQueryDto) {}

/** `POST /eventdeliveries/forceresend`. */
export class ForceResendDto {
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  ids!: string[];
}
