import { ConsoleLogger, LogLevel } from '@nestjs/common';
import type { CaravanConfig } from '@caravan/config';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * The process logger: JSON lines by default (what log shippers parse), one level threshold,
 * and the service name on every line so mixed logs stay attributable.
 */
export function createLogger(config: Pick<CaravanConfig, 'service' | 'log'>): ConsoleLogger {
  const threshold = LEVELS.indexOf(config.log.level);
  return new ConsoleLogger(config.service, {
    json: config.log.format === 'json',
    colors: config.log.format === 'pretty' && process.stdout.isTTY,
    logLevels: LEVELS.slice(0, threshold + 1),
  });
}
