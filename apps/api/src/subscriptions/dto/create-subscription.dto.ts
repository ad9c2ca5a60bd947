import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { FilterConfigDto } from './filter-config.dto';

export class CreateSubscriptionDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  name!: string;

  @ApiProperty({ description: 'An endpoint of this project' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  endpoint_id!: string;

  @ApiPropertyOptional({ description: 'A source of this project; "" clears it on update' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  source_id?: string;

  @ApiPropertyOptional({ type: () => FilterConfigDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => FilterConfigDto)
  filter_config?: FilterConfigDto;
}
