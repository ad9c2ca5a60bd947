import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_EVENT_TYPE_NAME_LENGTH } from '@caravan/domain';

/** Convoy's `models.CreateEventType`. */
export class CreateEventTypeDto {
  @ApiProperty({ example: 'invoice.paid' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_EVENT_TYPE_NAME_LENGTH)
  name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  description?: string;

  @ApiPropertyOptional({ description: 'A product-specific grouping' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  category?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: "JSON Schema of events' data (enforced when the project's validate_event_data is on)",
  })
  @IsOptional()
  @IsObject()
  json_schema?: Record<string, unknown> | null;
}
