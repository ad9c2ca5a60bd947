import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { AmqpAuthDto } from './amqp-auth.dto';
import { AmqpBindExchangeDto } from './amqp-bind-exchange.dto';

export class AmqpPubSubDto {
  @ApiPropertyOptional({ enum: ['amqp', 'amqps'], default: 'amqp' })
  @IsOptional()
  @IsIn(['amqp', 'amqps'])
  schema?: 'amqp' | 'amqps';

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  host!: string;

  @ApiProperty({ example: '5672', description: 'A string (Convoy) or a number' })
  @Transform(({ value }) => (typeof value === 'number' ? String(value) : value))
  @IsString()
  @Matches(/^\d{1,5}$/, { message: 'port must be a port number' })
  port!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  queue!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  vhost?: string;

  @ApiPropertyOptional({ type: () => AmqpAuthDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AmqpAuthDto)
  auth?: AmqpAuthDto | null;

  @ApiPropertyOptional({ type: () => AmqpBindExchangeDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AmqpBindExchangeDto)
  bindExchange?: AmqpBindExchangeDto | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  deadLetterExchange?: string;

  @ApiPropertyOptional({
    description: "Convoy's response form of bindExchange.exchange (accepted so a read body can be sent back)",
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  bindedExchange?: string;

  @ApiPropertyOptional({ description: "Convoy's response form of bindExchange.routingKey" })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  routingKey?: string;
}
