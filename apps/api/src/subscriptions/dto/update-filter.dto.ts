import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FilterFieldsDto } from './filter-fields.dto';

/** Convoy's `models.UpdateFilterRequest`: omitted fields keep their value. */
export class UpdateFilterDto extends FilterFieldsDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  event_type?: string;
}
