import { Inject, Injectable } from '@nestjs/common';
import { logLevel } from 'kafkajs';
import type { ReadinessCheck } from '@caravan/observability';
import { KAFKA_SETTINGS } from './tokens';
import { createKafka, KafkaSettings } from './kafka-client.factory';

/**
 * Kafka answers when a metadata request succeeds. A short-lived admin client per probe, with
 * no retries and no logging: a down broker must fail the probe fast and quietly rather than
 * flood the log every few seconds.
 */
@Injectable()
export class KafkaReadinessCheck implements ReadinessCheck {
  readonly name = 'kafka';

  constructor(@Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings) {}

  async check(): Promise<void> {
    const admin = createKafka(this.settings, {
      clientId: `${this.settings.clientId}-readiness`,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 1500,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length === 0) {
        throw new Error('cluster reports no brokers');
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
