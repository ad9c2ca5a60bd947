import { PartialType } from '@nestjs/swagger';
import { CreateSubscriptionDto } from './create-subscription.dto';

/** Every field of the create body, each optional; a given filter_config replaces the old one. */
export class UpdateSubscriptionDto extends PartialType(CreateSubscriptionDto) {}
