import { EventRejectedError, IntakeService } from '@caravan/intake';
import { MetricsRegistry } from '@caravan/observability';
import type { ProjectEntity, SourceEntity } from '@caravan/persistence';
import { SourceTransforms } from '../transform/source-transforms';
import { TransformFailedError } from '@caravan/sandbox';
import type { SourceBinding } from '../sources/source-binding.interface';
import { IngesterMetrics } from './ingester.metrics';
import { implicitIdempotencyKey, MessageIngestor } from './message-ingestor.service';

function binding(transforms: SourceTransforms = SourceTransforms.NONE): SourceBinding {
  return {
    source: { id: 'src1', pubSub: { type: 'kafka', workers: 1 } } as SourceEntity,
    project: { id: 'prj1' } as ProjectEntity,
    transforms,
  };
}

function message(body: string, attributes: Record<string, string> = {}, identity: string | null = null) {
  return { body: Buffer.from(body), attributes, where: 'test', identity };
}

describe('MessageIngestor', () => {
  let accept: jest.Mock;
  let metrics: IngesterMetrics;
  let ingestor: MessageIngestor;

  beforeEach(() => {
    accept = jest.fn().mockResolvedValue({ duplicate: false });
    metrics = new IngesterMetrics(new MetricsRegistry('ingester-test'));
    ingestor = new MessageIngestor({ accept } as unknown as IntakeService, metrics);
  });

  async function count(name: 'accepted' | 'rejected' | 'consumerErrors', labels: Record<string, string>) {
    const { values } = await metrics[name].get();
    return values
      .filter((value) => Object.entries(labels).every(([k, v]) => (value.labels as Record<string, unknown>)[k] === v))
      .reduce((sum, value) => sum + value.value, 0);
  }

  it('accepts through the intake with the route, exact data bytes, forwarded attributes and the source id', async () => {
    const outcome = await ingestor.ingest(
      binding(),
      message('{"endpoint_id":"e1","event_type":"t","data": [1, 2]}', { 'x-a': 'b' }),
    );
    expect(outcome).toEqual({ accepted: true });
    expect(accept).toHaveBeenCalledWith(
      expect.objectContaining({
        route: { routing: 'direct', endpointId: 'e1' },
        eventType: 't',
        raw: Buffer.from('[1, 2]'),
        headers: { 'x-a': ['b'] },
        sourceId: 'src1',
        project: { id: 'prj1' },
      }),
    );
    expect(await count('accepted', { source_type: 'kafka' })).toBe(1);
  });

  it('keys a message that names no idempotency key by its broker identity, scoped to the source', async () => {
    await ingestor.ingest(
      binding(),
      message('{"endpoint_id":"e1","event_type":"t","data":1}', {}, 'kafka:orders:2:17'),
    );
    expect(accept).toHaveBeenLastCalledWith(
      expect.objectContaining({ idempotencyKey: 'source:src1:kafka:orders:2:17' }),
    );
    // The message's own key wins; no identity and no key means no key.
    await ingestor.ingest(
      binding(),
      message('{"endpoint_id":"e1","event_type":"t","data":1,"idempotency_key":"mine"}', {}, 'kafka:orders:2:18'),
    );
    expect(accept).toHaveBeenLastCalledWith(expect.objectContaining({ idempotencyKey: 'mine' }));
    await ingestor.ingest(binding(), message('{"endpoint_id":"e1","event_type":"t","data":1}'));
    expect(accept).toHaveBeenLastCalledWith(expect.objectContaining({ idempotencyKey: null }));
  });

  it('hashes an identity too long for an idempotency key, keeping it stable', () => {
    const long = message('{}', {}, `amqp:${'x'.repeat(600)}`);
    const key = implicitIdempotencyKey(binding(), long);
    expect(key).toMatch(/^source:src1:sha256:[0-9a-f]{64}$/);
    expect(implicitIdempotencyKey(binding(), long)).toBe(key);
  });

  it('refuses a malformed message without calling the intake', async () => {
    const outcome = await ingestor.ingest(binding(), message('{"event_type":"t"}'));
    expect(outcome).toEqual({ accepted: false, kind: 'malformed', reason: 'data is required' });
    expect(accept).not.toHaveBeenCalled();
    expect(await count('rejected', { reason: 'malformed' })).toBe(1);
  });

  it('refuses what the intake refuses (unknown endpoint) and a failing transform', async () => {
    accept.mockRejectedValueOnce(new EventRejectedError('invalid', 'endpoint_id: no endpoint e1', 'endpoint_id'));
    expect(await ingestor.ingest(binding(), message('{"endpoint_id":"e1","event_type":"t","data":1}'))).toEqual({
      accepted: false,
      kind: 'refused',
      reason: 'endpoint_id: no endpoint e1',
    });
    const failing = {
      applyToHeaders: (attributes: Record<string, string>) => Promise.resolve(attributes),
      applyToBody: () => Promise.reject(new TransformFailedError('body_function', 'exceeded its time limit of 5 ms')),
    } as unknown as SourceTransforms;
    expect(await ingestor.ingest(binding(failing), message('{}'))).toEqual({
      accepted: false,
      kind: 'transform',
      reason: 'body_function failed: exceeded its time limit of 5 ms',
    });
  });

  it('throws a transient failure (the message stays with the broker) and counts a consumer error', async () => {
    accept.mockRejectedValueOnce(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    await expect(ingestor.ingest(binding(), message('{"endpoint_id":"e1","event_type":"t","data":1}'))).rejects.toThrow(
      'ECONNREFUSED',
    );
    expect(await count('consumerErrors', { source_type: 'kafka' })).toBe(1);
  });
});
