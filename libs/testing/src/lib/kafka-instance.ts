import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WORKSPACE_ROOT } from './service-process';

const run = promisify(execFile);

export interface KafkaInstance {
  readonly brokers: string;
  stop(): Promise<void>;
}

/** The shared broker that scripts/test.sh starts; tests isolate themselves by topic name. */
export function sharedKafkaBrokers(): string {
  return process.env['CARAVAN_TEST_KAFKA_BROKERS'] ?? '127.0.0.1:9092';
}

/**
 * Starts a separate, real Kafka broker with the project's own infra script, for tests that
 * must stop a broker without disturbing the shared one.
 */
export async function startKafkaInstance(
  instance: string,
  port: number,
  options: { partitions?: number } = {},
): Promise<KafkaInstance> {
  const env = {
    ...process.env,
    KAFKA_INSTANCE: instance,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(port + 1),
    CARAVAN_STATE_DIR: mkdtempSync(join(tmpdir(), `caravan-${instance}-`)),
    CARAVAN_KAFKA_PARTITIONS: String(options.partitions ?? 3),
  };
  const script = join(WORKSPACE_ROOT, 'scripts', 'infra.sh');
  await run(script, ['up', 'kafka'], { env, timeout: 180_000 });
  return {
    brokers: `127.0.0.1:${port}`,
    stop: async () => {
      await run(script, ['down', 'kafka'], { env, timeout: 60_000 });
    },
  };
}
