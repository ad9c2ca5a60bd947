import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUrl, MaxLength, MinLength } from 'class-validator';

export class SqsPubSubDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  access_key_id!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  secret_key!: string;

  @ApiProperty({ example: 'eu-west-1' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  default_region!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  queue_name!: string;

  @ApiPropertyOptional({ description: 'Caravan: a self-hosted or emulated SQS (e.g. http://localhost:4566)' })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  endpoint?: string;
}
