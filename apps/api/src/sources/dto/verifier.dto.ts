import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, ValidateIf, ValidateNested } from 'class-validator';
import { VerifierType } from '@caravan/domain';
import { HeaderApiKeyDto } from '../../common/header-api-key.dto';
import { BasicAuthVerifierDto } from './basic-auth-verifier.dto';
import { HmacVerifierDto } from './hmac-verifier.dto';

/**
 * How an http source checks incoming webhooks. Only the sub-object of `type` is validated and
 * kept: Convoy's clients send the others as empty placeholders.
 */
export class VerifierDto {
  @ApiProperty({ enum: VerifierType })
  @IsIn(Object.values(VerifierType))
  type!: VerifierType;

  @ApiPropertyOptional({ type: () => HmacVerifierDto })
  @ValidateIf((verifier: VerifierDto) => verifier.type === VerifierType.Hmac)
  @IsDefined()
  @ValidateNested()
  @Type(() => HmacVerifierDto)
  hmac?: HmacVerifierDto | null;

  @ApiPropertyOptional({ type: () => BasicAuthVerifierDto })
  @ValidateIf((verifier: VerifierDto) => verifier.type === VerifierType.BasicAuth)
  @IsDefined()
  @ValidateNested()
  @Type(() => BasicAuthVerifierDto)
  basic_auth?: BasicAuthVerifierDto | null;

  @ApiPropertyOptional({ type: () => HeaderApiKeyDto })
  @ValidateIf((verifier: VerifierDto) => verifier.type === VerifierType.ApiKey)
  @IsDefined()
  @ValidateNested()
  @Type(() => HeaderApiKeyDto)
  api_key?: HeaderApiKeyDto | null;
}
