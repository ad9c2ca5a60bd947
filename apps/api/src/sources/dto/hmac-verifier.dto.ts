import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { SignatureEncoding, SignatureHash } from '@caravan/domain';

/**
 * header, hash and encoding are required unless the source names a provider, whose preset
 * supplies them; the service checks that.
 */
export class HmacVerifierDto {
  @ApiPropertyOptional({ example: 'X-Signature' })
  @IsOptional()
  @IsString()
  @Matches(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { message: 'header must be a valid HTTP header name' })
  @MaxLength(256)
  header?: string;

  @ApiPropertyOptional({ enum: SignatureHash })
  @IsOptional()
  @IsIn(Object.values(SignatureHash))
  hash?: SignatureHash;

  @ApiPropertyOptional({ enum: SignatureEncoding })
  @IsOptional()
  @IsIn(Object.values(SignatureEncoding))
  encoding?: SignatureEncoding;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  secret!: string;
}
