import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, IsObject, IsOptional, ValidateNested } from 'class-validator';

/** Convoy's `models.TestFilterRequestScopes`: a sample request. */
export class TestFilterScopesDto {
  @ApiPropertyOptional({ description: 'Any JSON value' })
  @Allow()
  body?: unknown;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  headers?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Same as headers' })
  @IsOptional()
  @IsObject()
  header?: Record<string, unknown>;

  @Allow()
  path?: unknown;

  @Allow()
  query?: unknown;
}

/** Convoy's `models.TestFilterRequest`: `payload` is the body, or `request` gives body and headers. */
export class TestSubscriptionFilterDto {
  @ApiPropertyOptional({ description: 'Sample payload (any JSON value) tested against the body filter' })
  @Allow()
  payload?: unknown;

  @ApiPropertyOptional({ type: () => TestFilterScopesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => TestFilterScopesDto)
  request?: TestFilterScopesDto;
}
