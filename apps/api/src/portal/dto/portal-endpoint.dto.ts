import { ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { IsEmpty, IsOptional } from 'class-validator';
import { CreateEndpointDto } from '../../endpoints/dto/create-endpoint.dto';

/** What a customer may set on its own endpoints (never the owner: the link decides it). */
export class CreatePortalEndpointDto extends PickType(CreateEndpointDto, [
  'name',
  'url',
  'secret',
  'description',
] as const) {
  /** Named rather than ignored: a customer asking for another owner must hear that it cannot. */
  @ApiPropertyOptional({ type: String, description: 'Set by the portal link; any other value is refused' })
  @IsOptional()
  @IsEmpty({ message: 'owner_id: set by the portal link, a customer cannot choose it' })
  owner_id?: string;
}

/** Secrets change only through expire_secret, which keeps the old one for an overlap. */
export class UpdatePortalEndpointDto extends PartialType(
  PickType(CreateEndpointDto, ['name', 'url', 'description'] as const),
) {}
