/**
 * OpenTelemetry traces end to end (docs/operations.md#tracing): the three production bundles
 * export OTLP/JSON to a real HTTP receiver started here, which decodes every export. One event
 * through the REST API to an endpoint that fails once then succeeds, and one through a Kafka
 * source, must each make one trace across the services, with the parent/child links the doc
 * describes, the attempts' attributes, and the receiver's `traceparent` naming its attempt span.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { createTestDatabase, eventually, ServiceProcess, sharedKafkaBrokers, TestDatabase } from '@caravan/testing';
import { FAST_DISPATCHER_ENV, isolatedKafkaEnv } from '../dispatcher/support/dispatcher-harness';
import { WebhookReceiver } from '../dispatcher/support/webhook-receiver';
import { FAST_INGESTER_ENV } from '../ingester/support/ingester-harness';
import { apiClient } from './support/api-client';
import { SERVICES, ServiceName } from './support/catalogue';
import { removeOpsKafkaState, startOpsServices } from './support/ops-stack';

jest.setTimeout(400_000);

/** OTLP's span kinds as numbers in its JSON encoding. */
const KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}

interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean>;
  links: Array<{ traceId: string; spanId: string }>;
  status: { code?: number };
}

function attributeValue(value: OtlpValue): string | number | boolean {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.boolValue !== undefined) return value.boolValue;
  return value.doubleValue ?? '';
}

function attributes(list: Array<{ key: string; value: OtlpValue }> | undefined) {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, attributeValue(value)]));
}

/** A real OTLP/HTTP trace receiver: decodes every JSON export POSTed to /v1/traces. */
class OtlpReceiver {
  readonly spans: ExportedSpan[] = [];
  readonly contentTypes = new Set<string>();
  private readonly server: Server;

  private constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method !== 'POST' || request.url !== '/v1/traces') {
          response.writeHead(404).end();
          return;
        }
        this.contentTypes.add(String(request.headers['content-type']));
        this.decode(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
  }

  static async start(): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private decode(body: {
    resourceSpans?: Array<{
      resource?: { attributes?: Array<{ key: string; value: OtlpValue }> };
      scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }>;
    }>;
  }): void {
    for (const resourceSpans of body.resourceSpans ?? []) {
      const service = String(attributes(resourceSpans.resource?.attributes)['service.name'] ?? '');
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            service,
            traceId: String(span['traceId']),
            spanId: String(span['spanId']),
            parentSpanId: String(span['parentSpanId'] ?? ''),
            name: String(span['name']),
            kind: Number(span['kind']),
            attributes: attributes(span['attributes'] as never),
            links: ((span['links'] as ExportedSpan['links'] | undefined) ?? []).map((link) => ({
              traceId: link.traceId,
              spanId: link.spanId,
            })),
            status: (span['status'] as { code?: number } | undefined) ?? {},
          });
        }
      }
    }
  }

  trace(traceId: string): ExportedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const ADMIN_KEY = randomBytes(24).toString('hex');
const kafka = new Kafka({ clientId: 'ops-tracing-test', brokers: [sharedKafkaBrokers()], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const producer = kafka.producer();
const sourceTopic = `test.ops.trace.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;

let database: TestDatabase;
let receiver: WebhookReceiver;
let otlp: OtlpReceiver;
let env: Record<string, string>;
const services = {} as Record<ServiceName, ServiceProcess>;
const { call, created } = apiClient(() => services.api.url);

let key = '';
let base = '';
let flaky: { uid: string };
let ok: { uid: string };

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 90_000): Promise<T> {
  const found = await eventually(
    async () => probe(),
    (value) => Boolean(value),
    timeoutMs,
    250,
  );
  if (!found) {
    const logs = SERVICES.map((s) => `----- ${s}\n${services[s]?.output().slice(-3000) ?? ''}`).join('\n');
    const names = otlp.spans.map((s) => `${s.service}:${s.name}:${s.traceId.slice(0, 8)}`).join(', ');
    throw new Error(`timed out waiting for ${what}\nspans: ${names}\n${logs}`);
  }
  return found as T;
}

/** The one span of `spans` with this name (and attributes), failing with the names seen when absent. */
function one(spans: ExportedSpan[], name: string, where: Partial<ExportedSpan['attributes']> = {}): ExportedSpan {
  const found = spans.filter(
    (span) => span.name === name && Object.entries(where).every(([k, v]) => span.attributes[k] === v),
  );
  if (found.length !== 1) {
    throw new Error(
      `expected one span ${name} ${JSON.stringify(where)}, found ${found.length} among ${spans.map((s) => s.name).join(', ')}`,
    );
  }
  return found[0] as ExportedSpan;
}

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 2 });
  receiver = await WebhookReceiver.start();
  receiver.script('/flaky', { status: 500 }, { status: 200 });
  otlp = await OtlpReceiver.start();
  env = {
    ...FAST_DISPATCHER_ENV,
    ...FAST_INGESTER_ENV,
    ...isolatedKafkaEnv('ops-tracing'),
    CARAVAN_DATABASE_URL: database.url,
    CARAVAN_DATABASE_POOL_SIZE: '4',
    CARAVAN_ADMIN_API_KEY: ADMIN_KEY,
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    // Export every 200 ms instead of every 5 s.
    OTEL_BSP_SCHEDULE_DELAY: '200',
  };
  await startOpsServices(admin, producer, sourceTopic, env, services, 120_000);

  const { project, api_key } = await created('POST', '/api/v1/projects', ADMIN_KEY, {
    name: 'ops-tracing',
    type: 'outgoing',
    config: { strategy: { type: 'linear', duration: 1, retry_count: 3 } },
  });
  key = String(api_key.key);
  base = `/api/v1/projects/${project.uid}`;
  const endpoint = async (path: string) => {
    const target = await created('POST', `${base}/endpoints`, key, {
      name: `ep${path.replace('/', '-')}`,
      url: receiver.url(path),
    });
    await created('POST', `${base}/subscriptions`, key, {
      name: `sub-${target.uid}`,
      endpoint_id: target.uid,
      filter_config: { event_types: ['*'] },
    });
    return target;
  };
  flaky = await endpoint('/flaky');
  ok = await endpoint('/ok');
});

afterAll(async () => {
  await Promise.all(SERVICES.map((s) => services[s]?.stop('SIGTERM')));
  await receiver?.stop();
  await otlp?.stop();
  await database?.drop();
  await removeOpsKafkaState(admin, producer, sourceTopic, env);
});

describe('one trace per event across api, ingester and dispatcher', () => {
  it('follows a REST event through the intake, both doorbells, the router and each attempt (a retry included)', async () => {
    // The producer is traced: its context is continued, so the whole event is in its trace.
    const traceId = hex(16);
    const producerSpanId = hex(8);
    const response = await fetch(`${services.api.url}${base}/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${producerSpanId}-01`,
      },
      body: JSON.stringify({ endpoint_id: flaky.uid, event_type: 'trace.test', data: { n: 1 } }),
    });
    expect(response.status).toBe(201);
    const eventId = String(((await response.json()) as { data: { uid: string } }).data.uid);

    const attempts = await until('two attempt spans in the trace', () => {
      const found = otlp.trace(traceId).filter((s) => s.name === 'POST' && s.kind === KIND.client);
      return found.length === 2 && found;
    });
    const spans = await until('the routing and its statement spans', () => {
      const all = otlp.trace(traceId);
      return (
        all.some((s) => s.name === `send ${env.CARAVAN_KAFKA_DELIVERIES_TOPIC}`) &&
        all.some((s) => s.name === 'UPDATE event_deliveries (outcome and attempts)') &&
        all
      );
    });

    const request = one(spans, 'POST /api/v1/projects/:projectID/events');
    expect(request).toMatchObject({ service: 'caravan-api', kind: KIND.server, parentSpanId: producerSpanId });
    expect(request.attributes['http.response.status_code']).toBe(201);

    const intake = one(spans, 'caravan.intake');
    expect(intake).toMatchObject({ service: 'caravan-api', parentSpanId: request.spanId });
    expect(intake.attributes).toMatchObject({ 'caravan.event.id': eventId, 'caravan.event.type': 'trace.test' });
    expect(one(spans, 'INSERT events')).toMatchObject({
      service: 'caravan-api',
      kind: KIND.client,
      parentSpanId: intake.spanId,
    });

    const bell = one(spans, `send ${env.CARAVAN_KAFKA_EVENTS_TOPIC}`);
    expect(bell).toMatchObject({ service: 'caravan-api', kind: KIND.producer, parentSpanId: intake.spanId });

    const route = one(spans, 'caravan.route');
    expect(route).toMatchObject({ service: 'caravan-dispatcher', kind: KIND.consumer, parentSpanId: bell.spanId });
    expect(route.attributes).toMatchObject({ 'caravan.event.id': eventId, 'caravan.deliveries.created': 1 });
    expect(one(spans, 'INSERT event_deliveries')).toMatchObject({ parentSpanId: route.spanId, kind: KIND.client });
    expect(one(spans, `send ${env.CARAVAN_KAFKA_DELIVERIES_TOPIC}`)).toMatchObject({
      service: 'caravan-dispatcher',
      kind: KIND.producer,
      parentSpanId: route.spanId,
    });

    // Both attempts, the retry included, are children of the routing span stored with the delivery.
    const [first, second] = [...attempts].sort(
      (a, b) => Number(a.attributes['caravan.attempt.number']) - Number(b.attributes['caravan.attempt.number']),
    ) as [ExportedSpan, ExportedSpan];
    for (const attempt of [first, second]) {
      expect(attempt).toMatchObject({ service: 'caravan-dispatcher', parentSpanId: route.spanId });
      expect(attempt.attributes).toMatchObject({
        'http.request.method': 'POST',
        'caravan.endpoint.id': flaky.uid,
        'caravan.event.id': eventId,
        'server.address': '127.0.0.1',
      });
    }
    expect(first.attributes).toMatchObject({
      'caravan.attempt.number': 1,
      'http.response.status_code': 500,
      'caravan.delivery.status': 'Retry',
      'error.type': '500',
    });
    expect(first.status.code).toBe(2);
    expect(second.attributes).toMatchObject({
      'caravan.attempt.number': 2,
      'http.response.status_code': 200,
      'caravan.delivery.status': 'Success',
    });
    expect(second.status.code ?? 0).not.toBe(2);

    // The receiver got each attempt's own traceparent.
    const received = receiver.at('/flaky').map((r) => r.headers['traceparent']);
    expect(received).toEqual([`00-${traceId}-${first.spanId}-01`, `00-${traceId}-${second.spanId}-01`]);

    // The attempt rows keep the trace id, and the API shows it.
    const deliveries = await call('GET', `${base}/eventdeliveries?eventId=${eventId}`, key);
    const deliveryId = String(deliveries.body.data.content[0].uid);
    const listed = await call('GET', `${base}/eventdeliveries/${deliveryId}/deliveryattempts`, key);
    expect(listed.body.data.map((a: { trace_id: string }) => a.trace_id)).toEqual([traceId, traceId]);
    expect(otlp.contentTypes).toEqual(new Set(['application/json']));
  });

  it('follows an event from a Kafka source through the ingester to its delivery', async () => {
    await created('POST', `${base}/sources`, key, {
      name: 'ops-kafka-trace',
      type: 'pub_sub',
      pub_sub: {
        type: 'kafka',
        workers: 1,
        kafka: { brokers: [sharedKafkaBrokers()], topic_name: sourceTopic, consumer_group_id: `${sourceTopic}.group` },
      },
    });
    const traceId = hex(16);
    const producerSpanId = hex(8);
    await producer.send({
      topic: sourceTopic,
      messages: [
        {
          value: JSON.stringify({ endpoint_id: ok.uid, event_type: 'trace.kafka', data: { via: 'kafka' } }),
          headers: { traceparent: `00-${traceId}-${producerSpanId}-01` },
        },
      ],
    });

    const spans = await until('the Kafka event delivered in its trace', () => {
      const all = otlp.trace(traceId);
      return (
        all.some((s) => s.name === 'POST' && s.service === 'caravan-dispatcher') &&
        all.some((s) => s.name === 'caravan.route') &&
        all
      );
    });
    const ingest = one(spans, 'ingest kafka');
    expect(ingest).toMatchObject({ service: 'caravan-ingester', kind: KIND.consumer, parentSpanId: producerSpanId });
    expect(ingest.attributes).toMatchObject({ 'caravan.ingest.outcome': 'accepted' });
    const intake = one(spans, 'caravan.intake');
    expect(intake).toMatchObject({ service: 'caravan-ingester', parentSpanId: ingest.spanId });
    const bell = one(spans, `send ${env.CARAVAN_KAFKA_EVENTS_TOPIC}`);
    expect(bell).toMatchObject({ service: 'caravan-ingester', parentSpanId: intake.spanId });
    const route = one(spans, 'caravan.route');
    expect(route).toMatchObject({ service: 'caravan-dispatcher', parentSpanId: bell.spanId });
    const attempt = one(spans, 'POST');
    expect(attempt).toMatchObject({ parentSpanId: route.spanId, kind: KIND.client });
    expect(attempt.attributes).toMatchObject({
      'caravan.endpoint.id': ok.uid,
      'caravan.attempt.number': 1,
      'http.response.status_code': 200,
    });
    const delivered = receiver.at('/ok').map((r) => r.headers['traceparent']);
    expect(delivered).toContain(`00-${traceId}-${attempt.spanId}-01`);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['caravan-ingester', 'caravan-dispatcher']));
  });
});
