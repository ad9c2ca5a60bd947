import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsMediaType } from '../../common/media-type.validator';

/** What an http source answers to the sender instead of Caravan's envelope; none when `body` is empty. */
export class CustomResponseDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64 * 1024)
  body?: string;

  @ApiPropertyOptional({ example: 'application/json', description: 'text/plain when empty' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @IsMediaType()
  content_type?: string;
}
