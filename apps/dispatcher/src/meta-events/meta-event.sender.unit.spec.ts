import { ManualClock, MetaEventStatus, RetryStrategyType, signSimple, type MetaEventConfig } from '@caravan/domain';
import type { MetaEventsRepository, ProjectsRepository } from '@caravan/persistence';
import type { WebhookClient } from '../sender/webhook.client';
import {
  asRepository,
  InMemoryMetaEventRows,
  InMemoryProjects,
  InMemoryStore,
  ScriptedWebhookClient,
} from '../testing/in-memory-store.fake';
import { aProject, dispatcherMetrics } from '../testing/unit-fixtures.helper';
import { MetaEventSender } from './meta-event.sender';

const URL = 'https://meta.example/hook';

describe('MetaEventSender (in memory, manual clock)', () => {
  function world(metaEvent: Partial<MetaEventConfig> = {}) {
    const clock = new ManualClock();
    const store = new InMemoryStore(clock);
    const rows = new InMemoryMetaEventRows(store);
    const http = new ScriptedWebhookClient();
    const sender = new MetaEventSender(
      asRepository<MetaEventsRepository>(rows),
      asRepository<ProjectsRepository>(new InMemoryProjects(store)),
      asRepository<WebhookClient>(http),
      dispatcherMetrics(),
      clock,
    );
    const project = aProject({
      strategy: { type: RetryStrategyType.Linear, duration: 10, retry_count: 3 },
      meta_event: {
        is_enabled: true,
        type: 'http',
        url: URL,
        secret: 'meta-secret',
        event_type: ['endpoint.created'],
        ...metaEvent,
      },
    });
    store.add(store.projects, project);
    return { clock, rows, http, sender, project };
  }

  it('posts the stored payload bytes signed with the meta-event secret, and records Success', async () => {
    const w = world();
    const row = w.rows.add(w.project);
    await w.sender.send([row.id]);
    const [request] = w.http.requests;
    expect(request?.url).toBe(URL);
    expect(Buffer.from(request?.body ?? '')).toEqual(row.payload);
    expect(request?.headers['X-Convoy-Signature']).toBe(signSimple(row.payload, 'meta-secret'));
    expect(w.rows.rows.get(row.id)).toMatchObject({ status: MetaEventStatus.Success, attempts: 1, leaseUntil: null });
  });

  it("a failed attempt is retried on the project's strategy, counted from the clock's now", async () => {
    const w = world();
    const row = w.rows.add(w.project);
    w.http.script(URL, { statusCode: 500, body: 'down' });
    await w.clock.advance(3_000);
    await w.sender.send([row.id]);
    expect(w.rows.rows.get(row.id)).toMatchObject({
      status: MetaEventStatus.Retry,
      attempts: 1,
      nextSendTime: new Date(w.clock.now() + 10_000),
    });

    // Not due before then: a doorbell rung early claims nothing.
    await w.sender.send([row.id]);
    expect(w.http.requests).toHaveLength(1);
    await w.clock.advance(10_000);
    await w.sender.send([row.id]);
    expect(w.http.requests).toHaveLength(2);
    expect(w.rows.rows.get(row.id)?.status).toBe(MetaEventStatus.Success);
  });

  it('the last allowed attempt failing is a Failure, with nothing more scheduled', async () => {
    const w = world();
    const row = w.rows.add(w.project, { attempts: 2, retryLimit: 3, status: MetaEventStatus.Retry });
    w.http.script(URL, { statusCode: 500 });
    await w.sender.send([row.id]);
    expect(w.rows.rows.get(row.id)).toMatchObject({ status: MetaEventStatus.Failure, attempts: 3 });
  });

  it('a project without a secret or with meta events disabled fails the row without sending', async () => {
    for (const config of [{ secret: '' }, { is_enabled: false }]) {
      const w = world(config);
      const row = w.rows.add(w.project);
      await w.sender.send([row.id]);
      expect(w.http.requests).toEqual([]);
      expect(w.rows.rows.get(row.id)?.status).toBe(MetaEventStatus.Failure);
    }
  });
});
