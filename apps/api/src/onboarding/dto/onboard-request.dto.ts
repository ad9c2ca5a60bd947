import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsOptional } from 'class-validator';
import { OnboardItemDto } from './onboard-item.dto';

/**
 * Convoy's models.BulkOnboardRequest. Rows are validated one by one by the onboarding service
 * (so a dry run can report every row's errors), not by the request pipe.
 */
export class OnboardRequestDto {
  @ApiPropertyOptional({ type: [OnboardItemDto], description: 'Required unless a CSV file is uploaded' })
  @IsOptional()
  @IsArray()
  items?: unknown[];
}
