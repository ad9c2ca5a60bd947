import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsOptional, ValidateIf, ValidateNested } from 'class-validator';
import { HeaderApiKeyDto } from '../../common/header-api-key.dto';

/**
 * Convoy's endpoint authentication. An empty `type` means none (Convoy's clients send
 * `{type: "", api_key: {header_name: "", header_value: ""}}` for "no authentication").
 */
export class EndpointAuthenticationDto {
  @ApiProperty({ enum: ['api_key', ''] })
  @IsOptional()
  @IsIn(['api_key', ''])
  type?: 'api_key' | '';

  @ApiPropertyOptional({ type: () => HeaderApiKeyDto, description: 'Required when type is api_key' })
  @ValidateIf((authentication: EndpointAuthenticationDto) => authentication.type === 'api_key')
  @IsDefined()
  @ValidateNested()
  @Type(() => HeaderApiKeyDto)
  api_key?: HeaderApiKeyDto;
}
