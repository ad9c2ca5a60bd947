import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

/**
 * A header name and value: what an endpoint expects on every delivery (its authentication),
 * and what an api_key source verifier expects on every ingested request.
 */
export class HeaderApiKeyDto {
  @ApiProperty({ example: 'X-Api-Key' })
  @IsString()
  @Matches(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { message: 'header_name must be a valid HTTP header name' })
  @MaxLength(256)
  header_name!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  header_value!: string;
}
