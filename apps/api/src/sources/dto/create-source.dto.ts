import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { SourceProvider, SourceType } from '@caravan/domain';
import { CustomResponseDto } from './custom-response.dto';
import { IsTransformFunction } from '../../common/transform-function.decorator';
import { PubSubDto } from './pub-sub.dto';
import { IsRequestLocation } from './request-location.validator';
import { VerifierDto } from './verifier.dto';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Convoy's source body (docs/architecture.md#convoy-compatibility), plus Caravan's pub_sub `endpoint`s. */
export class CreateSourceDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  name!: string;

  @ApiProperty({ enum: SourceType, description: 'db_change_stream is refused: Caravan has no such consumer' })
  @IsIn(Object.values(SourceType))
  type!: SourceType;

  @ApiPropertyOptional({
    enum: SourceProvider,
    description: 'http only: a preset hmac verifier; needs verifier.hmac.secret',
  })
  @IsOptional()
  @IsIn(Object.values(SourceProvider))
  provider?: SourceProvider | '' | null;

  @ApiPropertyOptional({ type: () => VerifierDto, description: 'http sources; noop when absent' })
  @IsOptional()
  @ValidateNested()
  @Type(() => VerifierDto)
  verifier?: VerifierDto;

  @ApiPropertyOptional({ type: () => PubSubDto, description: 'Required for pub_sub sources' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PubSubDto)
  pub_sub?: PubSubDto | null;

  @ApiPropertyOptional({ type: () => CustomResponseDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CustomResponseDto)
  custom_response?: CustomResponseDto | null;

  @ApiPropertyOptional({
    type: [String],
    example: ['request.header.X-Id', 'request.body.id'],
    description:
      'Ordered locations of the idempotency key: request.header.<name>, request.body.<path>, request.query.<name> (also req., Header/Body/QueryParam and headers)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsRequestLocation({
    each: true,
    message:
      'each of idempotency_keys must look like request.header.<name>, request.body.<path> or request.query.<name>',
  })
  idempotency_keys?: string[];

  @ApiPropertyOptional({
    example: 'request.header.X-GitHub-Event',
    description:
      'http sources: where an ingested request carries its event type (same syntax as idempotency_keys); the mask id when absent or when the request has nothing there',
  })
  @IsOptional()
  @IsString()
  @IsRequestLocation()
  event_type_location?: string | null;

  @ApiPropertyOptional({ type: [String], description: 'Incoming headers forwarded to the endpoints' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(HEADER_NAME, { each: true, message: 'each of forward_headers must be an HTTP header name' })
  forward_headers?: string[];

  @ApiPropertyOptional({
    description: 'JavaScript declaring `function transform(payload)`; run sandboxed by the ingester',
  })
  @IsOptional()
  @IsTransformFunction('body_function')
  body_function?: string | null;

  @ApiPropertyOptional({
    description: 'JavaScript declaring `function transform(headers)`; run sandboxed by the ingester',
  })
  @IsOptional()
  @IsTransformFunction('header_function')
  header_function?: string | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  is_disabled?: boolean;
}
