import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString } from 'class-validator';

/** The fields Convoy's filter requests share (`models.CreateFilterRequest` and its update forms). */
export class FilterFieldsDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { amount: { $gte: 100 } } })
  @IsOptional()
  @IsObject()
  body?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { 'x-tenant': 'acme' } })
  @IsOptional()
  @IsObject()
  headers?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'When the filter takes effect (RFC 3339); null turns it off. Defaults to now when created.',
  })
  @IsOptional()
  @IsString()
  enabled_at?: string | null;

  // Convoy's path and query criteria apply to ingest requests' paths; Caravan's router filters
  // on body and headers, so they are accepted and not stored.
}
