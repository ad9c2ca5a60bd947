import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { KAFKA_CLIENT, KAFKA_SETTINGS } from './tokens';
import type { KafkaSettings } from './kafka-client.factory';

/**
 * Creates Caravan's topics when they are missing, so a fresh cluster works without a manual
 * step. Operators who manage topics themselves set CARAVAN_KAFKA_CREATE_TOPICS=false. A broker
 * that is down at boot is not fatal: the service starts unready and /readyz says why.
 */
@Injectable()
export class TopicProvisioner implements OnApplicationBootstrap {
  private readonly logger = new Logger(TopicProvisioner.name);

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.createTopics) return;
    try {
      const created = await this.ensureTopics();
      if (created.length > 0) {
        this.logger.log({ topics: created, partitions: this.settings.partitions }, 'created topics');
      }
    } catch (error) {
      this.logger.error({ brokers: this.settings.brokers, err: error }, 'could not ensure topics');
    }
  }

  /** Returns the names of the topics it had to create. */
  async ensureTopics(): Promise<string[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const wanted = [this.settings.topics.events, this.settings.topics.deliveries];
      const existing = new Set(await admin.listTopics());
      const missing = wanted.filter((topic) => !existing.has(topic));
      if (missing.length === 0) return [];
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: this.settings.partitions,
          replicationFactor: this.settings.replicationFactor,
        })),
      });
      return missing;
    } finally {
      await admin.disconnect();
    }
  }
}
