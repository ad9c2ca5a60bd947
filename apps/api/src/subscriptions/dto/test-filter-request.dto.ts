import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsOptional } from 'class-validator';
import { IsSampleHeaders } from './sample-headers.validator';

/** A sample request: its JSON body and headers. */
export class TestFilterRequestDto {
  @ApiPropertyOptional({ description: 'Any JSON value' })
  @Allow()
  body?: unknown;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsSampleHeaders()
  header?: Record<string, string | string[]>;
}
