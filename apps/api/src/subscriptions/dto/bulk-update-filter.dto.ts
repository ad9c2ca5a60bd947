import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';
import { UpdateFilterDto } from './update-filter.dto';

/** Convoy's `models.BulkUpdateFilterRequest`: an update naming its filter. */
export class BulkUpdateFilterDto extends UpdateFilterDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  uid!: string;
}
