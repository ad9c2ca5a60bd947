import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional } from 'class-validator';

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
}
