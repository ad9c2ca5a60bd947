import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Convoy's `models.ImportOpenAPISpec`: an OpenAPI document, JSON or YAML, as a string. */
export class ImportEventTypesDto {
  @ApiProperty({ description: 'An OpenAPI 3 document (JSON or YAML) with a webhooks or x-webhooks section' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(5 * 1024 * 1024)
  spec!: string;
}
