import type { Admin, Producer } from 'kafkajs';
import { freePort } from '../../dispatcher/support/dispatcher-harness';
import { ServiceProcess, spawnService } from '@caravan/testing';
import type { ServiceName } from './catalogue';

/**
 * The ops specs' stack: connects the spec's Kafka admin and producer, creates its source topic,
 * then starts the three built services with `env` (the dispatcher first: it creates the
 * Caravan topics, so the others do not race for them) and waits until each is ready.
 */
export async function startOpsServices(
  admin: Admin,
  producer: Producer,
  sourceTopic: string,
  env: Record<string, string>,
  services: Record<ServiceName, ServiceProcess>,
  readyTimeoutMs: number,
): Promise<void> {
  await Promise.all([admin.connect(), producer.connect()]);
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: sourceTopic, numPartitions: 1, replicationFactor: 1 }],
  });
  services.dispatcher = spawnService('dispatcher', await freePort(), env);
  await services.dispatcher.waitForReady(readyTimeoutMs);
  services.api = spawnService('api', await freePort(), env);
  services.ingester = spawnService('ingester', await freePort(), env);
  await Promise.all([services.api.waitForReady(readyTimeoutMs), services.ingester.waitForReady(readyTimeoutMs)]);
}

/**
 * The Kafka half of an ops spec's afterAll: disconnects its producer, deletes the source topic,
 * the isolated event and delivery topics and the consumer groups the services made (when the
 * services got as far as having an `env`), then disconnects the admin. Best effort: a
 * teardown never hides the failure that matters.
 */
export async function removeOpsKafkaState(
  admin: Admin,
  producer: Producer,
  sourceTopic: string,
  env: Record<string, string> | undefined,
): Promise<void> {
  await producer.disconnect().catch(() => undefined);
  if (env) {
    await admin
      .deleteTopics({ topics: [sourceTopic, env.CARAVAN_KAFKA_EVENTS_TOPIC, env.CARAVAN_KAFKA_DELIVERIES_TOPIC] })
      .catch(() => undefined);
    await admin
      .deleteGroups([
        env.CARAVAN_DISPATCHER_ROUTER_GROUP_ID,
        env.CARAVAN_DISPATCHER_SENDER_GROUP_ID,
        `${sourceTopic}.group`,
      ])
      .catch(() => undefined);
  }
  await admin.disconnect().catch(() => undefined);
}
