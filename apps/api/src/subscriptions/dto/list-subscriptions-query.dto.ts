import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto';
import { toArray } from '../../events/dto/event-query.dto';

export class ListSubscriptionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: [String], description: 'Repeatable: subscriptions of these endpoints' })
  @IsOptional()
  @Transform(toArray)
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  endpointId?: string[];

  @ApiPropertyOptional({ type: [String], description: 'The bracketed spelling of endpointId' })
  @IsOptional()
  @Transform(toArray)
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  'endpointId[]'?: string[];

  @ApiPropertyOptional({ description: 'Case-insensitive substring of the name' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string;
}
