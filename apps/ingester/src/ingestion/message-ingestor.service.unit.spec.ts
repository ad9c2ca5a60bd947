import { Logger } from '@nestjs/common';
import { brokerMessage, IngesterWorld } from '../testing/ingester-world.helper';
import { implicitIdempotencyKey } from './message-ingestor.service';

describe('MessageIngestor (in-memory intake, scripted transforms, manual clock)', () => {
  beforeAll(() => Logger.overrideLogger(false));

  function world() {
    const w = new IngesterWorld();
    w.intake.knownEndpoints.add('e1');
    return w;
  }

  it("accepts through the intake: route, exact data bytes, attributes as headers, the source, the clock's time", async () => {
    const w = world();
    const binding = w.binding();
    await w.clock.advance(7_000);
    const outcome = await w.ingestor.ingest(
      binding,
      brokerMessage('{"endpoint_id":"e1","event_type":"t","data": [1, 2]}', { attributes: { 'x-a': 'b' } }),
    );
    expect(outcome).toEqual({ accepted: true });
    expect(w.intake.stored).toHaveLength(1);
    expect(w.intake.offered[0]).toMatchObject({
      project: w.project,
      route: { routing: 'direct', endpointId: 'e1' },
      eventType: 't',
      raw: Buffer.from('[1, 2]'),
      headers: { 'x-a': ['b'] },
      sourceId: binding.source.id,
      acknowledgedAt: new Date(w.clock.now()),
    });
    expect(await w.counted('received', { source_type: 'kafka' })).toBe(1);
    expect(await w.counted('accepted', { source_type: 'kafka' })).toBe(1);
  });

  describe('implicit idempotency keys', () => {
    it('a message redelivered by its broker (same identity) is stored as a duplicate, never as a second event', async () => {
      const w = world();
      const binding = w.binding();
      const message = brokerMessage({ endpoint_id: 'e1', event_type: 't', data: 1 }, { identity: 'kafka:orders:2:17' });
      await w.ingestor.ingest(binding, message);
      await w.ingestor.ingest(binding, message);
      expect(w.intake.originals).toHaveLength(1);
      expect(w.intake.stored.map((e) => [e.idempotencyKey, e.isDuplicateEvent])).toEqual([
        [`source:${binding.source.id}:kafka:orders:2:17`, false],
        [`source:${binding.source.id}:kafka:orders:2:17`, true],
      ]);
    });

    it('the key is scoped to the source: the same identity through another source is another event', async () => {
      const w = world();
      const message = brokerMessage({ endpoint_id: 'e1', event_type: 't', data: 1 }, { identity: 'sqs:m-1' });
      await w.ingestor.ingest(w.binding(), message);
      await w.ingestor.ingest(w.binding(), message);
      expect(w.intake.originals).toHaveLength(2);
    });

    it("the message's own key wins; without identity and key there is no key", async () => {
      const w = world();
      const binding = w.binding();
      await w.ingestor.ingest(
        binding,
        brokerMessage(
          { endpoint_id: 'e1', event_type: 't', data: 1, idempotency_key: 'mine' },
          { identity: 'sqs:m-1' },
        ),
      );
      await w.ingestor.ingest(binding, brokerMessage({ endpoint_id: 'e1', event_type: 't', data: 1 }));
      await w.ingestor.ingest(binding, brokerMessage({ endpoint_id: 'e1', event_type: 't', data: 1 }));
      expect(w.intake.stored.map((e) => e.idempotencyKey)).toEqual(['mine', null, null]);
      expect(w.intake.originals).toHaveLength(3);
    });

    it('an identity too long for a key is hashed, stably', () => {
      const w = world();
      const binding = w.binding();
      const long = brokerMessage({}, { identity: `amqp:${'x'.repeat(600)}` });
      const key = implicitIdempotencyKey(binding, long);
      expect(key).toMatch(new RegExp(`^source:${binding.source.id}:sha256:[0-9a-f]{64}$`));
      expect(implicitIdempotencyKey(binding, long)).toBe(key);
      expect(implicitIdempotencyKey(binding, brokerMessage({}, { identity: `amqp:${'y'.repeat(600)}` }))).not.toBe(key);
    });
  });

  describe('refusals (for good: the consumer dead-letters or drops them)', () => {
    it('a message breaking the contract is refused without reaching the intake', async () => {
      const w = world();
      expect(await w.ingestor.ingest(w.binding(), brokerMessage({ event_type: 't' }))).toEqual({
        accepted: false,
        kind: 'malformed',
        reason: 'data is required',
      });
      expect(await w.ingestor.ingest(w.binding(), brokerMessage('not json'))).toMatchObject({
        accepted: false,
        kind: 'malformed',
      });
      expect(w.intake.offered).toEqual([]);
      expect(await w.counted('rejected', { reason: 'malformed' })).toBe(2);
    });

    it('what the intake refuses (an unknown endpoint) is refused with its reason', async () => {
      const w = world();
      expect(
        await w.ingestor.ingest(w.binding(), brokerMessage({ endpoint_id: 'e9', event_type: 't', data: 1 })),
      ).toEqual({ accepted: false, kind: 'refused', reason: 'endpoint_id: no endpoint e9 in this project' });
      expect(await w.counted('rejected', { reason: 'refused' })).toBe(1);
    });
  });

  it('a transient failure throws (the message stays with the broker), counts a consumer error, and the retry is accepted', async () => {
    const w = world();
    const binding = w.binding();
    const message = brokerMessage({ endpoint_id: 'e1', event_type: 't', data: 1 }, { identity: 'kafka:orders:0:1' });
    w.intake.failNext(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    await expect(w.ingestor.ingest(binding, message)).rejects.toThrow('ECONNREFUSED');
    expect(await w.counted('consumerErrors', { source_type: 'kafka' })).toBe(1);
    expect(w.intake.stored).toEqual([]);
    expect(await w.ingestor.ingest(binding, message)).toEqual({ accepted: true });
    expect(w.intake.originals).toHaveLength(1);
  });

  describe('transforms', () => {
    it('header_function runs first, so its headers route the message; body_function reshapes the message', async () => {
      const w = world();
      const headerFunction = w.pool.define('headers', (attributes) => ({
        ...(attributes as Record<string, string>),
        'x-convoy-message-type': 'broadcast',
        count: 3,
        dropped: null,
      }));
      const bodyFunction = w.pool.define('body', (message) => ({
        event_type: 'wrapped',
        data: message,
      }));
      const binding = w.binding({ headerFunction, bodyFunction });
      const outcome = await w.ingestor.ingest(binding, brokerMessage({ raw: true }, { attributes: { 'x-a': 'b' } }));
      expect(outcome).toEqual({ accepted: true });
      expect(w.pool.runs).toEqual([
        { name: 'header_function', input: { 'x-a': 'b' } },
        { name: 'body_function', input: { raw: true } },
      ]);
      expect(w.intake.offered[0]).toMatchObject({
        route: { routing: 'broadcast' },
        eventType: 'wrapped',
        raw: Buffer.from('{"raw":true}'),
        headers: { 'x-a': ['b'], count: ['3'] },
      });
    });

    it('a failing transform refuses the message, naming the function', async () => {
      const w = world();
      const binding = w.binding({ bodyFunction: 'undefined_function' });
      expect(await w.ingestor.ingest(binding, brokerMessage({ event_type: 't', data: 1 }))).toEqual({
        accepted: false,
        kind: 'transform',
        reason: 'body_function failed: ReferenceError: undefined_function is not defined',
      });
      expect(await w.counted('rejected', { reason: 'transform' })).toBe(1);
    });
  });
});
