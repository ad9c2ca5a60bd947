import { PartialType } from '@nestjs/swagger';
import { CreateEndpointDto } from './create-endpoint.dto';

/** Every field of the create body, each optional; only the given ones change. */
export class UpdateEndpointDto extends PartialType(CreateEndpointDto) {}
