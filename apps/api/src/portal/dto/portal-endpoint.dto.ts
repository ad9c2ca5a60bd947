import { PartialType, PickType } from '@nestjs/swagger';
import { CreateEndpointDto } from '../../endpoints/dto/create-endpoint.dto';

/** What a customer may set on its own endpoints (never the owner: the link decides it). */
export class CreatePortalEndpointDto extends PickType(CreateEndpointDto, [
  'name',
  'url',
  'secret',
  'description',
] as const) {}

/** Secrets change only through expire_secret, which keeps the old one for an overlap. */
export class UpdatePortalEndpointDto extends PartialType(
  PickType(CreateEndpointDto, ['name', 'url', 'description'] as const),
) {}
