import { ManualClock } from '@caravan/domain';
import type { DoorbellRinger } from '@caravan/messaging';
import type {
  EndpointsRepository,
  EventDeliveriesRepository,
  EventsRepository,
  SubscriptionFiltersRepository,
  SubscriptionsRepository,
} from '@caravan/persistence';
import { RouterService } from '../router/router.service';
import { SubscriptionResolver } from '../router/subscription.resolver';
import { dispatcherMetrics } from './unit-fixtures.helper';
import {
  asRepository,
  InMemoryDeliveries,
  InMemoryEndpoints,
  InMemoryEvents,
  InMemoryStore,
  InMemorySubscriptionFilters,
  InMemorySubscriptions,
  RecordingRinger,
} from './in-memory-store.fake';

/** The router wired over in-memory repositories and a recording ringer. */
export class RouterWorld {
  readonly clock = new ManualClock();
  readonly store = new InMemoryStore(this.clock);
  readonly ringer = new RecordingRinger(this.store);
  readonly metrics = dispatcherMetrics();
  readonly router: RouterService;

  constructor() {
    const endpoints = asRepository<EndpointsRepository>(new InMemoryEndpoints(this.store));
    const subscriptions = asRepository<SubscriptionsRepository>(new InMemorySubscriptions(this.store));
    this.router = new RouterService(
      asRepository<EventsRepository>(new InMemoryEvents(this.store)),
      asRepository<EventDeliveriesRepository>(new InMemoryDeliveries(this.store)),
      endpoints,
      new SubscriptionResolver(subscriptions, endpoints),
      asRepository<SubscriptionFiltersRepository>(new InMemorySubscriptionFilters(this.store)),
      asRepository<DoorbellRinger>(this.ringer),
      this.metrics,
    );
  }

  deliveriesOf(eventId: string) {
    return [...this.store.deliveries.values()].filter((d) => d.eventId === eventId);
  }
}
