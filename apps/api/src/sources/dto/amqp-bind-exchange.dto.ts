import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/** Binds the source's queue to an exchange (with a routing key). */
export class AmqpBindExchangeDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  exchange!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  routingKey?: string;
}
