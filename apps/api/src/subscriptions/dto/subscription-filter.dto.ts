import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsObject, IsOptional } from 'class-validator';

/** Convoy's filter: body and header filters with its operators ($eq, $in, $regex, …). */
export class SubscriptionFilterDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { 'x-tenant': 'acme' } })
  @IsOptional()
  @IsObject()
  headers?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { amount: { $gte: 100 } } })
  @IsOptional()
  @IsObject()
  body?: Record<string, unknown>;

  // Convoy's representation hints; nested objects are matched as dot-paths either way.
  @Allow()
  is_flattened?: unknown;

  @Allow()
  raw_headers?: unknown;

  @Allow()
  raw_body?: unknown;
}
