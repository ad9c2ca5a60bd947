import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class GooglePubSubDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  project_id!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  subscription_id!: string;

  @ApiProperty({
    description:
      "The service account key JSON: base64 of it (Convoy's wire form, []byte), the JSON object itself, or its bytes as a number array. Answered as base64.",
    oneOf: [{ type: 'string', format: 'byte' }, { type: 'object' }, { type: 'array', items: { type: 'integer' } }],
  })
  @IsDefined()
  service_account!: unknown;

  @ApiPropertyOptional({ description: 'Caravan: a Pub/Sub emulator host (host:port)' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  endpoint?: string;
}
