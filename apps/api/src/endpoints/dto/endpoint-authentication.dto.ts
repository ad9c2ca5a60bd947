import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsOptional, ValidateIf, ValidateNested } from 'class-validator';
import { EndpointApiKeyDto } from './endpoint-api-key.dto';

/**
 * Convoy's endpoint authentication. An empty `type` means none (Convoy's clients send
 * `{type: "", api_key: {header_name: "", header_value: ""}}` for "no authentication").
 */
export class EndpointAuthenticationDto {
  @ApiProperty({ enum: ['api_key', ''] })
  @IsOptional()
  @IsIn(['api_key', ''])
  type?: 'api_key' | '';

  @ApiPropertyOptional({ type: () => EndpointApiKeyDto, description: 'Required when type is api_key' })
  @ValidateIf((authentication: EndpointAuthenticationDto) => authentication.type === 'api_key')
  @IsDefined()
  @ValidateNested()
  @Type(() => EndpointApiKeyDto)
  api_key?: EndpointApiKeyDto;
}
