import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto';
import { IsIdListQuery } from '../../common/id-list-query';

export class ListSubscriptionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: [String], description: 'Repeatable: subscriptions of these endpoints' })
  @IsIdListQuery()
  endpointId?: string[];

  @ApiPropertyOptional({ type: [String], description: 'The bracketed spelling of endpointId' })
  @IsIdListQuery()
  'endpointId[]'?: string[];

  @ApiPropertyOptional({ description: 'Case-insensitive substring of the name' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string;
}
