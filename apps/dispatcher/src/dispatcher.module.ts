import { DynamicModule, Module } from '@nestjs/common';
import type { CaravanConfig } from '@caravan/config';
import { PlatformModule } from '@caravan/platform';
import { DISPATCHER_SETTINGS, SHUTDOWN_TIMEOUT_MS } from './common/dispatcher.tokens';
import { DeliveryMetaEvents } from './meta-events/delivery-meta-events.service';
import { MetaEventSender } from './meta-events/meta-event.sender';
import { EndpointFailureNotifier } from './notifications/endpoint-failure.notifier';
import { NotificationMailer } from './notifications/notification.mailer';
import { RetentionService } from './retention/retention.service';
import { DispatcherMetrics } from './metrics/dispatcher.metrics';
import { RouterConsumer } from './router/router.consumer';
import { RouterService } from './router/router.service';
import { SubscriptionResolver } from './router/subscription.resolver';
import { SchedulerService } from './scheduler/scheduler.service';
import { DeliveryAttempter } from './sender/delivery-attempter.service';
import { DeliveryPayload } from './sender/delivery-payload.service';
import { DeliveryLeases } from './sender/delivery-leases.service';
import { EndpointGate } from './sender/endpoint-gate.service';
import { EndpointRequestSender } from './sender/endpoint-request.sender';
import { OutcomeWriter } from './sender/outcome.writer';
import { SenderConsumer } from './sender/sender.consumer';
import { SenderService } from './sender/sender.service';
import { WebhookClient } from './sender/webhook.client';

/** The dispatcher: router (events → deliveries), sender (deliveries → HTTP), scheduler, meta events. */
@Module({})
export class DispatcherModule {
  static forRoot(config: CaravanConfig): DynamicModule {
    return {
      module: DispatcherModule,
      imports: [PlatformModule.forRoot(config)],
      providers: [
        { provide: DISPATCHER_SETTINGS, useValue: config.dispatcher },
        { provide: SHUTDOWN_TIMEOUT_MS, useValue: config.shutdownTimeoutMs },
        DispatcherMetrics,
        SubscriptionResolver,
        RouterService,
        RouterConsumer,
        WebhookClient,
        EndpointRequestSender,
        EndpointGate,
        DeliveryMetaEvents,
        MetaEventSender,
        DeliveryPayload,
        DeliveryAttempter,
        DeliveryLeases,
        OutcomeWriter,
        SenderService,
        SenderConsumer,
        SchedulerService,
        NotificationMailer,
        EndpointFailureNotifier,
        RetentionService,
      ],
    };
  }
}
