import { MetaEventType, RetryStrategyType, signSimple } from '@caravan/domain';
import { MetaEventEntity, MetaEventsRepository, ProjectEntity } from '@caravan/persistence';
import { eventually, insertEndpoint, insertProject, insertSubscription } from '@caravan/testing';
import { DispatcherHarness } from './support/dispatcher-harness';
import { defined, type ReceivedRequest } from './support/webhook-receiver';

/** Meta events: created on final delivery states and endpoint changes, delivered signed, retried. */
describe('dispatcher: meta events', () => {
  jest.setTimeout(120_000);
  let h: DispatcherHarness;

  async function metaProject(path: string, eventTypes: string[]): Promise<ProjectEntity> {
    return insertProject(h.dataSource, {
      config: {
        strategy: {
          type: RetryStrategyType.Linear,
          duration: 1,
          retry_count: 2,
        },
        meta_event: {
          is_enabled: true,
          type: 'http',
          url: h.receiver.url(path),
          secret: 'meta-secret',
          event_type: eventTypes,
        },
      },
    });
  }

  async function endpointFor(project: ProjectEntity, path: string) {
    const endpoint = await insertEndpoint(h.dataSource, project.id, {
      url: h.receiver.url(path),
      secrets: [
        {
          uid: 's1',
          value: 'secret',
          created_at: '2024-01-01T00:00:00Z',
          expires_at: null,
        },
      ],
    });
    await insertSubscription(h.dataSource, project.id, endpoint.id);
    return endpoint;
  }

  function parsed(request: ReceivedRequest): {
    event_type: string;
    data: Record<string, unknown>;
  } {
    return JSON.parse(request.body.toString('utf8'));
  }

  function expectSigned(request: ReceivedRequest): void {
    expect(request.headers['x-convoy-signature']).toBe(signSimple(request.body, 'meta-secret'));
  }

  beforeAll(async () => {
    h = await DispatcherHarness.start('meta');
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('sends eventdelivery.success and eventdelivery.failed, signed over the exact bytes, in Convoy shape', async () => {
    const project = await metaProject('/meta/a', [
      MetaEventType.EventDeliverySuccess,
      MetaEventType.EventDeliveryFailed,
    ]);
    h.receiver.script('/ok', { status: 200 });
    h.receiver.script('/bad', { status: 400 });
    const ok = await endpointFor(project, '/ok');
    const bad = await endpointFor(project, '/bad');
    const success = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [ok.id],
      eventType: 'test.convoy',
    });
    const failure = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [bad.id],
      eventType: 'test.convoy',
    });
    const [delivered] = await h.settled(success.id);
    const [failed] = await h.settled(failure.id);
    const received = await eventually(
      async () => h.receiver.at('/meta/a'),
      (found) => found.length >= 2,
    );
    expect(received).toHaveLength(2);
    received.forEach(expectSigned);
    const byType = Object.fromEntries(received.map((r) => [parsed(r).event_type, parsed(r).data]));
    expect(byType['eventdelivery.success']).toMatchObject({
      uid: delivered?.id,
      project_id: project.id,
      event_id: success.id,
      endpoint_id: ok.id,
      status: 'Success',
      metadata: {
        num_trials: 1,
        retry_limit: 2,
        strategy: 'linear',
        data: { ok: true },
      },
      attempt: { http_status: '200 OK', status: true, msg_id: delivered?.id },
      event_metadata: { uid: success.id, event_type: 'test.convoy' },
      endpoint_metadata: { uid: ok.id, secrets: null },
      // Convoy's blocks, zero-valued as Convoy sends them for an event that came over the API.
      source_metadata: { uid: '', mask_id: '', verifier: null, idempotency_keys: [], deleted_at: null },
      device_metadata: {
        uid: '',
        last_seen_at: '0001-01-01T00:00:00Z',
        created_at: '0001-01-01T00:00:00Z',
        updated_at: '0001-01-01T00:00:00Z',
        deleted_at: null,
      },
    });
    expect(byType['eventdelivery.failed']).toMatchObject({
      uid: failed?.id,
      status: 'Failure',
      description: 'Retry limit exceeded',
      metadata: { num_trials: 2, retry_limit: 2 },
      attempt: { http_status: '400 Bad Request', status: false },
    });
    const rows = await h.dataSource.getRepository(MetaEventEntity).find({ where: { projectId: project.id } });
    expect(rows.map((row) => row.status).sort()).toEqual(['Success', 'Success']);
    // What was sent is exactly what was stored.
    expect(received.map((r) => r.body.toString('base64')).sort()).toEqual(
      rows.map((row) => row.payload.toString('base64')).sort(),
    );
  });

  it('sends only the subscribed types, and endpoint.updated when a 410 disables an endpoint', async () => {
    const project = await metaProject('/meta/b', [MetaEventType.EndpointUpdated]);
    h.receiver.script('/gone', { status: 410 });
    const gone = await endpointFor(project, '/gone');
    const event = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [gone.id],
    });
    await h.settled(event.id);
    const received = await eventually(
      async () => h.receiver.at('/meta/b'),
      (found) => found.length >= 1,
    );
    await h.caughtUp();
    const stored = await h.dataSource.query(`SELECT event_type FROM meta_events WHERE project_id = $1`, [project.id]);
    expect(stored).toEqual([{ event_type: 'endpoint.updated' }]);
    expect(h.receiver.at('/meta/b')).toHaveLength(1);
    expectSigned(defined(received[0]));
    expect(parsed(defined(received[0]))).toMatchObject({
      event_type: 'endpoint.updated',
      data: {
        uid: gone.id,
        project_id: project.id,
        status: 'inactive',
        target_url: gone.url,
      },
    });
  });

  it('delivers a meta event the api inserted and rang, retrying a failing meta URL', async () => {
    const project = await metaProject('/meta/c', [MetaEventType.EndpointCreated]);
    h.receiver.script('/meta/c', { status: 503 }, { status: 200 });
    const payload = Buffer.from('{"event_type":"endpoint.created","data":{"uid":"e1", "title": "ünïcode"}}', 'utf8');
    const row = await new MetaEventsRepository(h.dataSource).insert({
      projectId: project.id,
      eventType: MetaEventType.EndpointCreated,
      payload,
      retryLimit: 3,
    });
    await h.producer.ring(h.env['CARAVAN_KAFKA_DELIVERIES_TOPIC'] as string, [
      {
        key: project.id,
        value: {
          project_id: project.id,
          endpoint_id: '',
          delivery_id: row.id,
          kind: 'meta',
        },
      },
    ]);
    const stored = await eventually(
      () => h.dataSource.getRepository(MetaEventEntity).findOneByOrFail({ id: row.id }),
      (found) => found.status === 'Success',
    );
    expect(stored).toMatchObject({ status: 'Success', attempts: 2 });
    const received = h.receiver.at('/meta/c');
    expect(received).toHaveLength(2);
    expect(defined(received[1]).body.equals(payload)).toBe(true);
    expectSigned(defined(received[1]));
  });

  it('never signs with an empty key: a project stored without a meta-event secret fails the meta event, unsent', async () => {
    const project = await metaProject('/meta/nosecret', [MetaEventType.EndpointCreated]);
    // A row written before secrets were generated (the repository now always sets one).
    await h.dataSource.query(
      `UPDATE projects SET config = jsonb_set(config, '{meta_event,secret}', '""') WHERE id = $1`,
      [project.id],
    );
    const row = await new MetaEventsRepository(h.dataSource).insert({
      projectId: project.id,
      eventType: MetaEventType.EndpointCreated,
      payload: Buffer.from('{"event_type":"endpoint.created","data":{}}'),
      retryLimit: 3,
    });
    await h.producer.ring(h.env['CARAVAN_KAFKA_DELIVERIES_TOPIC'] as string, [
      { key: project.id, value: { project_id: project.id, endpoint_id: '', delivery_id: row.id, kind: 'meta' } },
    ]);
    const stored = await eventually(
      () => h.dataSource.getRepository(MetaEventEntity).findOneByOrFail({ id: row.id }),
      (found) => found.status === 'Failure',
    );
    expect(JSON.stringify(stored.lastResponse)).toContain('no meta-event secret');
    expect(h.receiver.at('/meta/nosecret')).toHaveLength(0);
  });
});
