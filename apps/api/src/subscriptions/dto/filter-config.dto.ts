import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { SubscriptionFilterDto } from './subscription-filter.dto';

export class FilterConfigDto {
  @ApiPropertyOptional({ type: [String], default: ['*'], description: '"*" matches every event type' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(255, { each: true })
  event_types?: string[];

  @ApiPropertyOptional({ type: () => SubscriptionFilterDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SubscriptionFilterDto)
  filter?: SubscriptionFilterDto;
}
