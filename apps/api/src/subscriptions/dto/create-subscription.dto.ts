import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { DeliveryMode } from '@caravan/domain';
import { IsTransformFunction } from '../../common/transform-function.decorator';
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

  @ApiPropertyOptional({
    enum: DeliveryMode,
    default: DeliveryMode.AtLeastOnce,
    description: 'at_most_once: one attempt per delivery, never retried',
  })
  @IsOptional()
  @IsIn(Object.values(DeliveryMode))
  delivery_mode?: DeliveryMode | '';

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      'JavaScript declaring `function transform(payload)`: its result is delivered (and signed) instead of the event data; null removes it (on an update "" leaves it as it is)',
  })
  @IsOptional()
  @ValidateIf((_object, value) => value !== '')
  @IsTransformFunction('function')
  function?: string | null;
}
