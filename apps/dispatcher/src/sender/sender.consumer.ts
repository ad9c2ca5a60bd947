import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { DispatcherSettings } from '@caravan/config';
import type { DeliveryDoorbell } from '@caravan/domain';
import { DoorbellConsumer, KAFKA_CLIENT, KAFKA_SETTINGS, KafkaSettings, TopicProvisioner } from '@caravan/messaging';
import { ConsumerHealth } from '@caravan/observability';
import type { Kafka } from 'kafkajs';
import { DISPATCHER_SETTINGS, SHUTDOWN_TIMEOUT_MS } from '../common/dispatcher.tokens';
import { DispatcherMetrics } from '../metrics/dispatcher.metrics';
import { MetaEventSender } from '../meta-events/meta-event.sender';
import { SenderService } from './sender.service';

/**
 * Consumes `caravan.deliveries` in the sender's consumer group: `delivery` doorbells go to the
 * sender, `meta` doorbells to the meta-event sender. On shutdown it stops claiming, lets the
 * batch in progress finish within a bound (60 % of the service's shutdown timeout), then
 * aborts what is left and hands those rows back, and commits and disconnects.
 */
@Injectable()
export class SenderConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SenderConsumer.name);
  readonly consumer: DoorbellConsumer<DeliveryDoorbell>;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(KAFKA_SETTINGS) kafkaSettings: KafkaSettings,
    @Inject(DISPATCHER_SETTINGS) settings: DispatcherSettings,
    @Inject(SHUTDOWN_TIMEOUT_MS) private readonly shutdownTimeoutMs: number,
    provisioner: TopicProvisioner,
    private readonly sender: SenderService,
    metaSender: MetaEventSender,
    metrics: DispatcherMetrics,
    health: ConsumerHealth,
  ) {
    this.consumer = new DoorbellConsumer<DeliveryDoorbell>({
      name: 'sender',
      kafka,
      timings: kafkaSettings.consumer,
      health,
      topic: kafkaSettings.topics.deliveries,
      groupId: settings.senderGroupId,
      partitionsConcurrency: settings.partitionsConcurrency,
      metrics,
      handle: async (doorbells, signal) => {
        const ids = (kind: DeliveryDoorbell['kind']) =>
          doorbells.filter((d) => d?.kind === kind && typeof d.delivery_id === 'string').map((d) => d.delivery_id);
        await Promise.all([sender.send(ids('delivery'), signal), metaSender.send(ids('meta'))]);
      },
      prepare: () =>
        kafkaSettings.createTopics ? provisioner.ensureTopics().catch(() => undefined) : Promise.resolve(),
    });
  }

  onApplicationBootstrap(): void {
    this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.sender.stop();
    const deadline = Date.now() + this.shutdownTimeoutMs * 0.6;
    await this.consumer.stop();
    const bound = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now())).unref(),
    );
    if ((await Promise.race([this.sender.drain(), bound])) === 'timeout') {
      const released = await this.sender.releaseInFlight();
      this.logger.warn({ released }, 'in-flight sends outlived the shutdown bound; claims released');
      await this.sender.drain();
    }
  }
}
