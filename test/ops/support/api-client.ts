import type { Producer } from 'kafkajs';
import { sharedKafkaBrokers } from '@caravan/testing';

/** The api's REST calls the ops tests make, against the api running at `baseUrl()`. */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are read loosely, as the specs' own code may */
export function apiClient(baseUrl: () => string) {
  async function call(
    method: string,
    path: string,
    key: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }> {
    const response = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /** The call's `data`, or an error naming the status and body when it did not answer 200/201. */
  async function created(method: string, path: string, key: string, body: unknown): Promise<any> {
    const response = await call(method, path, key, body);
    if (response.status !== 201 && response.status !== 200) {
      throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body.data;
  }

  return { call, created };
}

/**
 * Traffic through the ingester: a Kafka pub_sub source on `sourceTopic`, then one good message
 * (for `endpointId`) and one malformed message published to it.
 */
export async function kafkaSourceTraffic(
  created: ReturnType<typeof apiClient>['created'],
  projectPath: string,
  key: string,
  producer: Producer,
  sourceTopic: string,
  endpointId: string,
): Promise<void> {
  await created('POST', `${projectPath}/sources`, key, {
    name: 'ops-kafka',
    type: 'pub_sub',
    pub_sub: {
      type: 'kafka',
      workers: 1,
      kafka: { brokers: [sharedKafkaBrokers()], topic_name: sourceTopic, consumer_group_id: `${sourceTopic}.group` },
    },
  });
  await producer.send({
    topic: sourceTopic,
    messages: [
      { value: JSON.stringify({ endpoint_id: endpointId, event_type: 'ops.kafka', data: { via: 'kafka' } }) },
      { value: '{"event_type": "broken", "data": ' },
    ],
  });
}
