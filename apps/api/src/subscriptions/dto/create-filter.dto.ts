import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { FilterFieldsDto } from './filter-fields.dto';

/** Convoy's `models.CreateFilterRequest`. */
export class CreateFilterDto extends FilterFieldsDto {
  @ApiProperty({ example: 'invoice.paid', description: 'The event type this filter applies to; "*" for any' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  event_type!: string;
}
