import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EventDoorbell } from '@caravan/domain';
import { DoorbellPattern } from '@caravan/messaging';
import { RouterService } from './router.service';

/** Batches of `caravan.events` doorbells (the router's consumer group) go to the router. */
@Controller()
export class RouterController {
  constructor(private readonly router: RouterService) {}

  @EventPattern(DoorbellPattern.events)
  async route(@Payload() doorbells: EventDoorbell[]): Promise<void> {
    await this.router.route(doorbells);
  }
}
