import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { MetaEventType, parseGoDuration, RetryStrategyType, SignatureEncoding, SignatureHash } from '@caravan/domain';

/** A positive Go duration such as "720h" or "1h30m" (units h, m, s, ms). */
function IsGoDuration(): PropertyDecorator {
  return ValidateBy({
    name: 'isGoDuration',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseGoDuration(value) !== null,
      defaultMessage: () => '$property must be a positive Go duration such as "720h" or "1h30m"',
    },
  });
}

export class StrategyConfigDto {
  @IsOptional()
  @IsIn(Object.values(RetryStrategyType))
  type?: RetryStrategyType;

  /** Seconds: the constant interval (linear) or the base delay (exponential). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  duration?: number;

  /** Attempts in all, the first included. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  retry_count?: number;
}

export class SignatureVersionDto {
  @IsIn(Object.values(SignatureHash))
  hash!: SignatureHash;

  @IsIn(Object.values(SignatureEncoding))
  encoding!: SignatureEncoding;
}

export class SignatureConfigDto {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  header?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => SignatureVersionDto)
  versions?: SignatureVersionDto[];
}

export class RateLimitConfigDto {
  @IsOptional()
  @IsInt()
  @Min(0)
  count?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  duration?: number;
}

export class SslConfigDto {
  @IsOptional()
  @IsBoolean()
  enforce_secure_endpoints?: boolean;
}

export class MetaEventConfigDto {
  @IsOptional()
  @IsBoolean()
  is_enabled?: boolean;

  @IsOptional()
  @IsIn(['http'])
  type?: 'http';

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  url?: string;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  secret?: string;

  @IsOptional()
  @IsArray()
  @IsIn(Object.values(MetaEventType), { each: true })
  event_type?: MetaEventType[];
}

/**
 * Convoy's project config. Fields Caravan does not act on are dropped like every unknown
 * field (named in Caravan-Ignored-Fields; the README lists Convoy's).
 */
export class ProjectConfigDto {
  @IsOptional()
  @ValidateNested()
  @Type(() => StrategyConfigDto)
  strategy?: StrategyConfigDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => SignatureConfigDto)
  signature?: SignatureConfigDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitConfigDto)
  ratelimit?: RateLimitConfigDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => SslConfigDto)
  ssl?: SslConfigDto;

  @IsOptional()
  @IsBoolean()
  disable_endpoint?: boolean;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100 * 1024 * 1024)
  max_payload_read_size?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => MetaEventConfigDto)
  meta_event?: MetaEventConfigDto;

  /** Caravan's option: refuse events whose data fails their event type's JSON Schema. */
  @IsOptional()
  @IsBoolean()
  validate_event_data?: boolean;

  /** Events, deliveries, attempts and meta events older than this are deleted ("" keeps everything). */
  @IsOptional()
  @IsGoDuration()
  retention_policy?: string;

  /** Convoy's switch: false keeps everything although retention_policy is set. */
  @IsOptional()
  @IsBoolean()
  is_retention_policy_enabled?: boolean;
}
