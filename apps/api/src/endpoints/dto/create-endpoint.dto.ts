import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { EndpointContentType, SignatureFormat } from '@caravan/domain';
import { EndpointAuthenticationDto, MtlsClientCertDto } from './endpoint-authentication.dto';
import { NullIsUnset } from '../../common/null-is-unset.decorator';

const HTTP_URL = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };

/** Convoy's endpoint body, plus Caravan's `signature_format`. */
export class CreateEndpointDto {
  @ApiProperty({
    example: 'https://example.com/webhooks',
    description: 'http(s); https only when the project enforces secure endpoints',
  })
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  @NullIsUnset()
  url!: string;

  @ApiProperty({ example: 'billing service' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @NullIsUnset()
  name!: string;

  @ApiPropertyOptional({
    description:
      'Signing secret; generated when absent. With signature_format standard-webhooks it must be whsec_ + base64 of 24-64 bytes.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @NullIsUnset()
  secret?: string;

  @ApiPropertyOptional({ description: 'Groups endpoints for fan-out (POST /events/fanout)' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @NullIsUnset()
  owner_id?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @NullIsUnset()
  description?: string;

  @ApiPropertyOptional({ description: 'Sign with t=<unix>,v1=<sig> (one signature per live secret)' })
  @IsOptional()
  @IsBoolean()
  @NullIsUnset()
  advanced_signatures?: boolean;

  @ApiPropertyOptional({ description: 'Seconds', minimum: 1, maximum: 300 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(300)
  @NullIsUnset()
  http_timeout?: number;

  @ApiPropertyOptional({ description: 'Deliveries per rate_limit_duration; 0 = unlimited', minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  @NullIsUnset()
  rate_limit?: number;

  @ApiPropertyOptional({ description: 'Seconds', minimum: 1, maximum: 86400 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  @NullIsUnset()
  rate_limit_duration?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  @NullIsUnset()
  support_email?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl({ ...HTTP_URL, protocols: ['https'] })
  @MaxLength(2048)
  @NullIsUnset()
  slack_webhook_url?: string;

  @ApiPropertyOptional({ type: () => EndpointAuthenticationDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => EndpointAuthenticationDto)
  authentication?: EndpointAuthenticationDto;

  @ApiPropertyOptional({
    enum: EndpointContentType,
    default: EndpointContentType.Json,
    description: "application/x-www-form-urlencoded sends the JSON object's members as form fields (signed as sent)",
  })
  @IsOptional()
  @IsIn(Object.values(EndpointContentType))
  @NullIsUnset()
  content_type?: EndpointContentType | '';

  @ApiPropertyOptional({
    type: () => MtlsClientCertDto,
    description: 'Client certificate presented to the endpoint (mutual TLS); empty strings clear it',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => MtlsClientCertDto)
  mtls_client_cert?: MtlsClientCertDto | null;

  @ApiPropertyOptional({
    description: 'true creates (or turns) the endpoint inactive; false re-activates an inactive one',
  })
  @IsOptional()
  @IsBoolean()
  @NullIsUnset()
  is_disabled?: boolean;

  @ApiPropertyOptional({ enum: SignatureFormat, default: SignatureFormat.Convoy })
  @IsOptional()
  @IsIn(Object.values(SignatureFormat))
  @NullIsUnset()
  signature_format?: SignatureFormat;
}
