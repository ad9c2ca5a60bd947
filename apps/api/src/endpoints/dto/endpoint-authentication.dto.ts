import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  MaxLength,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { HeaderApiKeyDto } from '../../common/header-api-key.dto';

export class BasicAuthDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  username!: string;

  @ApiProperty()
  @IsString()
  @MaxLength(1024)
  password!: string;
}

export class OAuth2FieldMappingDto {
  @ApiPropertyOptional({ example: 'access_token' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  access_token?: string;

  @ApiPropertyOptional({ example: 'token_type' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  token_type?: string;

  @ApiPropertyOptional({ example: 'expires_in' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  expires_in?: string;
}

/** Convoy's oauth2 block; Caravan performs the client-credentials grant with a shared secret. */
export class OAuth2Dto {
  @ApiProperty({ description: 'The token endpoint' })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(2048)
  url!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  client_id!: string;

  @ApiProperty({ description: 'Never shown again in full' })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  client_secret!: string;

  @ApiPropertyOptional({ enum: ['client_credentials'], default: 'client_credentials' })
  @IsOptional()
  @IsIn(['client_credentials'])
  grant_type?: string;

  @ApiPropertyOptional({ enum: ['shared_secret'], default: 'shared_secret' })
  @IsOptional()
  @IsIn(['shared_secret'], { message: 'authentication_type must be shared_secret (client_assertion is not supported)' })
  authentication_type?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  scope?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  audience?: string;

  @ApiPropertyOptional({ enum: ['seconds', 'milliseconds', 'minutes', 'hours'], default: 'seconds' })
  @IsOptional()
  @IsIn(['seconds', 'milliseconds', 'minutes', 'hours'])
  expiry_time_unit?: 'seconds' | 'milliseconds' | 'minutes' | 'hours';

  @ApiPropertyOptional({ type: () => OAuth2FieldMappingDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => OAuth2FieldMappingDto)
  field_mapping?: OAuth2FieldMappingDto | null;

  // Convoy's client_assertion settings: its SDKs send them (empty) with every oauth2 block;
  // accepted and ignored, since only shared_secret is performed.
}

/**
 * Convoy's endpoint authentication. An empty `type` means none (Convoy's clients send
 * `{type: "", api_key: {header_name: "", header_value: ""}}` for "no authentication").
 */
export class EndpointAuthenticationDto {
  @ApiProperty({ enum: ['api_key', 'basic_auth', 'oauth2', ''] })
  @IsOptional()
  @IsIn(['api_key', 'basic_auth', 'oauth2', ''])
  type?: 'api_key' | 'basic_auth' | 'oauth2' | '';

  @ApiPropertyOptional({ type: () => HeaderApiKeyDto, description: 'Required when type is api_key' })
  @ValidateIf((authentication: EndpointAuthenticationDto) => authentication.type === 'api_key')
  @IsDefined()
  @ValidateNested()
  @Type(() => HeaderApiKeyDto)
  api_key?: HeaderApiKeyDto;

  @ApiPropertyOptional({ type: () => BasicAuthDto, description: 'Required when type is basic_auth' })
  @ValidateIf((authentication: EndpointAuthenticationDto) => authentication.type === 'basic_auth')
  @IsDefined()
  @ValidateNested()
  @Type(() => BasicAuthDto)
  basic_auth?: BasicAuthDto;

  @ApiPropertyOptional({ type: () => OAuth2Dto, description: 'Required when type is oauth2' })
  @ValidateIf((authentication: EndpointAuthenticationDto) => authentication.type === 'oauth2')
  @IsDefined()
  @ValidateNested()
  @Type(() => OAuth2Dto)
  oauth2?: OAuth2Dto;
}

/** Convoy's mtls_client_cert: PEM certificate and key presented to the endpoint. */
export class MtlsClientCertDto {
  @ApiProperty({ description: 'PEM certificate' })
  @IsString()
  @MaxLength(65_536)
  client_cert!: string;

  @ApiProperty({ description: 'PEM private key; never shown again' })
  @IsString()
  @MaxLength(65_536)
  client_key!: string;
}
