import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto';

export const PORTAL_AUTH_TYPES = ['static_token', 'refresh_token'] as const;

/** Convoy's CreatePortalLinkRequest: an owner_id, a list of endpoints, or both. */
export class CreatePortalLinkDto {
  @ApiPropertyOptional({ description: 'Portal link name' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string;

  @ApiPropertyOptional({ description: 'The link covers every endpoint with this owner_id, present and future' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  owner_id?: string;

  @ApiPropertyOptional({ type: [String], description: 'Endpoint ids the link also covers (Convoy: deprecated)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  endpoints?: string[];

  @ApiPropertyOptional({ description: 'Whether the customer may create and change endpoints' })
  @IsOptional()
  @IsBoolean()
  can_manage_endpoint?: boolean;

  @ApiPropertyOptional({ enum: PORTAL_AUTH_TYPES, description: 'Both are bearer tokens here; default static_token' })
  @IsOptional()
  @IsIn(PORTAL_AUTH_TYPES)
  auth_type?: (typeof PORTAL_AUTH_TYPES)[number];
}

export class UpdatePortalLinkDto extends PartialType(CreatePortalLinkDto) {}

export class ListPortalLinksQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  ownerId?: string;

  @ApiPropertyOptional({ description: 'Case-insensitive substring of the name' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  q?: string;
}
