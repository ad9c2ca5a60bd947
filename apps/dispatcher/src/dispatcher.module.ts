import { DynamicModule, Module } from '@nestjs/common';
import type { CaravanConfig } from '@caravan/config';
import { PlatformModule } from '@caravan/platform';
import { dispatcherTransport } from './common/dispatcher-transport.factory';
import { DISPATCHER_SETTINGS, SHUTDOWN_TIMEOUT_MS } from './common/dispatcher.tokens';
import { DeliveryMetaEvents } from './meta-events/delivery-meta-events.service';
import { MetaEventSender } from './meta-events/meta-event.sender';
import { EndpointFailureNotifier } from './notifications/endpoint-failure.notifier';
import { NotificationMailer } from './notifications/notification.mailer';
import { RetentionService } from './retention/retention.service';
import { DispatcherMetrics } from './metrics/dispatcher.metrics';
import { RouterController } from './router/router.controller';
import { RouterService } from './router/router.service';
import { SubscriptionResolver } from './router/subscription.resolver';
import { SchedulerService } from './scheduler/scheduler.service';
import { DeliveryAttempter } from './sender/delivery-attempter.service';
import { DeliveryPayload } from './sender/delivery-payload.service';
import { DeliveryLeases } from './sender/delivery-leases.service';
import { EndpointGate } from './sender/endpoint-gate.service';
import { EndpointRequestSender } from './sender/endpoint-request.sender';
import { OutcomeWriter } from './sender/outcome.writer';
import { SenderController } from './sender/sender.controller';
import { SenderService } from './sender/sender.service';
import { WebhookClient } from './sender/webhook.client';

/**
 * The dispatcher: router (events → deliveries), sender (deliveries → HTTP), scheduler, meta
 * events. A hybrid app: HTTP for health, readiness and metrics, and the `KafkaBatchServer`
 * microservice transport for its two topics (`main.ts` connects it).
 */
@Module({})
export class DispatcherModule {
  static forRoot(config: CaravanConfig): DynamicModule {
    return {
      module: DispatcherModule,
      imports: [PlatformModule.forRoot(config)],
      // The consumers' handlers (@EventPattern), served by the KafkaBatchServer transport.
      controllers: [RouterController, SenderController],
      providers: [
        { provide: DISPATCHER_SETTINGS, useValue: config.dispatcher },
        { provide: SHUTDOWN_TIMEOUT_MS, useValue: config.shutdownTimeoutMs },
        DispatcherMetrics,
        SubscriptionResolver,
        RouterService,
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
        dispatcherTransport,
        SchedulerService,
        NotificationMailer,
        EndpointFailureNotifier,
        RetentionService,
      ],
    };
  }
}
