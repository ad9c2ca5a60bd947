import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsObject, IsOptional } from 'class-validator';

/** A sample request: its JSON body and headers. */
export class TestFilterRequestDto {
  @ApiPropertyOptional({ description: 'Any JSON value' })
  @Allow()
  body?: unknown;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  header?: Record<string, string | string[]>;
}
