import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { SourceProvider, SourceType } from '@caravan/domain';
import { PageQueryDto } from '../../common/page-query.dto';

export class ListSourcesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SourceType })
  @IsOptional()
  @IsIn(Object.values(SourceType))
  type?: SourceType;

  @ApiPropertyOptional({ enum: SourceProvider })
  @IsOptional()
  @IsIn(Object.values(SourceProvider))
  provider?: SourceProvider;
}
