import { Logger } from '@nestjs/common';
import { Kafka, KafkaConfig, logLevel, LogEntry } from 'kafkajs';
import type { CaravanConfig } from '@caravan/config';

export type KafkaSettings = CaravanConfig['kafka'];

const logger = new Logger('kafka');

/** Routes kafkajs's own log lines into the service logger at the matching level. */
function logCreator() {
  return ({ level, log }: LogEntry) => {
    // kafkajs's own fields (broker, groupId, error, …) stay fields; its timestamp duplicates the line's.
    const {
      message,
      timestamp: _timestamp,
      logger: _logger,
      ...extra
    } = log as LogEntry['log'] & Record<string, unknown>;
    const fields = { kafka: extra };
    if (level === logLevel.ERROR) logger.error(fields, message);
    else if (level === logLevel.WARN) logger.warn(fields, message);
    else if (level === logLevel.INFO) logger.log(fields, message);
    else logger.debug(fields, message);
  };
}

export function createKafka(settings: KafkaSettings, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    logLevel: logLevel.WARN,
    logCreator,
    ...overrides,
  });
}
