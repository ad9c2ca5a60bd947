import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsOptional, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { PubSubType } from '@caravan/domain';
import { AmqpPubSubDto } from './amqp-pub-sub.dto';
import { GooglePubSubDto } from './google-pub-sub.dto';
import { KafkaPubSubDto } from './kafka-pub-sub.dto';
import { SqsPubSubDto } from './sqs-pub-sub.dto';

/**
 * A broker the ingester consumes. Only the sub-config of `type` is required, validated and
 * kept; the others may be sent as placeholders (Convoy's clients do) and are dropped.
 */
export class PubSubDto {
  @ApiProperty({ enum: PubSubType })
  @IsIn(Object.values(PubSubType))
  type!: PubSubType;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 1, description: 'Concurrent consumers' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  workers?: number;

  @ApiPropertyOptional({ type: () => SqsPubSubDto })
  @ValidateIf((pubSub: PubSubDto) => pubSub.type === PubSubType.Sqs)
  @IsDefined()
  @ValidateNested()
  @Type(() => SqsPubSubDto)
  sqs?: SqsPubSubDto | null;

  @ApiPropertyOptional({ type: () => GooglePubSubDto })
  @ValidateIf((pubSub: PubSubDto) => pubSub.type === PubSubType.Google)
  @IsDefined()
  @ValidateNested()
  @Type(() => GooglePubSubDto)
  google?: GooglePubSubDto | null;

  @ApiPropertyOptional({ type: () => KafkaPubSubDto })
  @ValidateIf((pubSub: PubSubDto) => pubSub.type === PubSubType.Kafka)
  @IsDefined()
  @ValidateNested()
  @Type(() => KafkaPubSubDto)
  kafka?: KafkaPubSubDto | null;

  @ApiPropertyOptional({ type: () => AmqpPubSubDto })
  @ValidateIf((pubSub: PubSubDto) => pubSub.type === PubSubType.Amqp)
  @IsDefined()
  @ValidateNested()
  @Type(() => AmqpPubSubDto)
  amqp?: AmqpPubSubDto | null;
}
