import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

/** The header an endpoint expects on every delivery (Convoy's endpoint authentication). */
export class EndpointApiKeyDto {
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
