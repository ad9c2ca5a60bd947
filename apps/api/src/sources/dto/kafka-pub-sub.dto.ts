import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { KafkaAuthDto } from './kafka-auth.dto';

export class KafkaPubSubDto {
  @ApiProperty({ type: [String], example: ['kafka-1:9092'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @Matches(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/, { each: true, message: 'each of brokers must be host:port' })
  brokers!: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  consumer_group_id?: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(249)
  topic_name!: string;

  @ApiPropertyOptional({ type: () => KafkaAuthDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => KafkaAuthDto)
  auth?: KafkaAuthDto | null;
}
