import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

export class KafkaAuthDto {
  @ApiPropertyOptional({ enum: ['plain', 'scram'] })
  @IsOptional()
  @IsIn(['plain', 'scram'])
  type?: 'plain' | 'scram';

  @ApiPropertyOptional({ enum: ['SHA256', 'SHA512'], description: 'For scram' })
  @IsOptional()
  @IsIn(['SHA256', 'SHA512'])
  hash?: 'SHA256' | 'SHA512';

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  tls?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  username?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;
}
