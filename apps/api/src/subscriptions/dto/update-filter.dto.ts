import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { OptionalUnlessEmpty } from '../../common/optional-unless-empty.decorator';
import { FilterFieldsDto } from './filter-fields.dto';

/** Convoy's `models.UpdateFilterRequest`: omitted fields keep their value. */
export class UpdateFilterDto extends FilterFieldsDto {
  @ApiPropertyOptional()
  @OptionalUnlessEmpty()
  @IsString()
  @MaxLength(255)
  event_type?: string;
}
