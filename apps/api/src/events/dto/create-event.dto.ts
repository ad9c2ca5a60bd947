import { IsDefined, IsOptional, IsString, IsUrl, MaxLength, MinLength, IsArray, ArrayMaxSize } from 'class-validator';
import { IsHeaderMap } from './custom-headers.validator';
import { IsIsoDate } from '../../common/iso-date';

/** Fields every event-creating body shares. `data` is any JSON value; its exact bytes are kept. */
export class EventBodyDto {
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  event_type!: string;

  @IsDefined({ message: 'data is required' })
  data!: unknown;

  @IsOptional()
  @IsHeaderMap()
  custom_headers?: Record<string, string>;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  idempotency_key?: string;
}

/** `POST /events`: one endpoint. */
export class CreateEventDto extends EventBodyDto {
  @IsString()
  @MinLength(1)
  endpoint_id!: string;
}

/** `POST /events/fanout`: every endpoint of an owner. */
export class CreateFanoutEventDto extends EventBodyDto {
  @IsString()
  @MinLength(1)
  owner_id!: string;
}

/** `POST /events/broadcast` (Convoy's shape, docs/architecture.md#convoy-compatibility). */
export class CreateBroadcastEventDto extends EventBodyDto {
  @IsOptional()
  @IsIsoDate()
  acknowledged_at?: string;
}

/** `POST /events/dynamic`: an endpoint by URL, created (with a subscription) when new. */
export class CreateDynamicEventDto extends EventBodyDto {
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  url!: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  secret?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  event_types?: string[];
}
