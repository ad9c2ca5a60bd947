import { PartialType } from '@nestjs/swagger';
import { CreateSourceDto } from './create-source.dto';

/**
 * Every field of the create body, each optional. A given verifier / pub_sub /
 * custom_response replaces the old one whole; null clears custom_response and the functions.
 */
export class UpdateSourceDto extends PartialType(CreateSourceDto) {}
