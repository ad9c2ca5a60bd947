import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { IsMediaType } from '../../common/media-type.validator';

/** What an http source answers to the sender instead of Caravan's envelope. */
export class CustomResponseDto {
  @ApiProperty()
  @IsString()
  @MaxLength(64 * 1024)
  body!: string;

  @ApiProperty({ example: 'application/json' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @IsMediaType()
  content_type!: string;
}
