import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';

export class OnboardQueryDto {
  @ApiPropertyOptional({ description: "Validate without creating: report what would be created and every row's error" })
  @IsOptional()
  @Transform(({ value }) =>
    value === 'true' || value === '1' ? true : value === 'false' || value === '0' || value === '' ? false : value,
  )
  @IsBoolean()
  dry_run?: boolean;
}
