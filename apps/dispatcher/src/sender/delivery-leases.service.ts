import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DispatcherSettings } from '@caravan/config';
import { EventDeliveriesRepository } from '@caravan/persistence';
import { DISPATCHER_SETTINGS } from '../common/dispatcher.tokens';
import { LeaseKeeper } from './lease-keeper';

/** The process's leases on claimed deliveries (one instance, shared by the sender and the outcome writer). */
@Injectable()
export class DeliveryLeases extends LeaseKeeper {
  constructor(@Inject(DISPATCHER_SETTINGS) settings: DispatcherSettings, deliveries: EventDeliveriesRepository) {
    const logger = new Logger(DeliveryLeases.name);
    super(deliveries, settings.leaseSeconds, (error) => logger.warn({ err: error }, 'renewing delivery leases failed'));
  }
}
