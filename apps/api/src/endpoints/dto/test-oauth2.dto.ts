import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, ValidateNested } from 'class-validator';
import { OAuth2Dto } from './endpoint-authentication.dto';

/** Convoy's TestOAuth2Request: an endpoint's oauth2 block, validated as on the endpoint. */
export class TestOAuth2Dto {
  @ApiProperty({ type: () => OAuth2Dto })
  @IsDefined()
  @ValidateNested()
  @Type(() => OAuth2Dto)
  oauth2!: OAuth2Dto;
}

/** Convoy's TestOAuth2Response, as answered when a token was obtained. */
export class TestOAuth2ResponseDto {
  @ApiProperty({ example: true })
  success!: boolean;

  @ApiProperty({ description: 'The token obtained (with the credentials the caller sent)' })
  access_token!: string;

  @ApiProperty({ example: 'Bearer' })
  token_type!: string;

  @ApiProperty({ description: 'When Caravan would refresh the token (the server-given expiry less a margin)' })
  expires_at!: string;

  @ApiProperty({ example: 'OAuth2 connection test successful' })
  message!: string;
}
