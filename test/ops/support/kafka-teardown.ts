import type { Admin, Producer } from 'kafkajs';

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
