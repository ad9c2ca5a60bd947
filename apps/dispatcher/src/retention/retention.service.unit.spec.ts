import { Logger } from '@nestjs/common';
import { DeliveryStatus, EventStatus, ManualClock } from '@caravan/domain';
import { MetricsRegistry } from '@caravan/observability';
import type { ProjectsRepository, RetentionRepository } from '@caravan/persistence';
import { aDelivery, aProject, anEndpoint, anEvent, counted, dispatcherSettings } from '../testing/unit-fixtures.helper';
import { asRepository, InMemoryProjects, InMemoryRetention, InMemoryStore } from '../testing/in-memory-store.fake';
import { FIRST_SWEEP_DELAY_MS, RetentionService } from './retention.service';

const HOUR = 3_600_000;

describe('RetentionService (in memory, manual clock)', () => {
  beforeAll(() => Logger.overrideLogger(false));

  function world(env: Record<string, string> = {}) {
    const clock = new ManualClock();
    const store = new InMemoryStore(clock);
    const retention = new InMemoryRetention(store);
    const registry = new MetricsRegistry('dispatcher');
    const settings = dispatcherSettings({ CARAVAN_RETENTION_INTERVAL_SECONDS: '60', ...env });
    const service = new RetentionService(
      settings,
      asRepository<ProjectsRepository>(new InMemoryProjects(store)),
      asRepository<RetentionRepository>(retention),
      registry,
      clock,
    );
    const project = aProject({ retention_policy: '72h' });
    store.add(store.projects, project);
    const endpoint = anEndpoint(project);
    /** A delivered event created `ageMs` before now, with one Success delivery. */
    const delivered = (ageMs: number, owner = project) => {
      const createdAt = new Date(clock.now() - ageMs);
      const event = anEvent(owner, { status: EventStatus.Success, createdAt });
      const delivery = aDelivery(event, endpoint, clock, { status: DeliveryStatus.Success, createdAt });
      store.add(store.events, event);
      store.add(store.deliveries, delivery);
      return event;
    };
    const metric = async (name: string, labels: Record<string, string>) => {
      const found = registry.registry.getSingleMetric(name);
      if (!found) throw new Error(`no metric ${name}`);
      return counted(found, labels);
    };
    const sweeps = (outcome: string) => metric('caravan_retention_sweeps_total', { outcome });
    return { clock, store, retention, service, project, delivered, sweeps, metric };
  }

  it("deletes events older than the policy as of the clock's now, with their deliveries, and no younger ones", async () => {
    const w = world();
    const old = w.delivered(73 * HOUR);
    const young = w.delivered(71 * HOUR);

    expect(await w.service.sweep()).toEqual({ events: 1, event_deliveries: 1, delivery_attempts: 0, meta_events: 0 });
    expect(w.store.events.has(old.id)).toBe(false);
    expect(w.store.events.has(young.id)).toBe(true);
    expect([...w.store.deliveries.values()].map((d) => d.eventId)).toEqual([young.id]);
    expect(w.retention.statements.map((s) => s.cutoff)).toEqual([
      new Date(w.clock.now() - 72 * HOUR),
      new Date(w.clock.now() - 72 * HOUR),
    ]);

    // Two hours later the younger one is past the cut-off too.
    await w.clock.advance(2 * HOUR);
    expect((await w.service.sweep())?.events).toBe(1);
    expect(w.store.events.has(young.id)).toBe(false);
  });

  it('keeps an old event still being delivered, and leaves projects without an enabled policy alone', async () => {
    const w = world();
    const busy = w.delivered(100 * HOUR);
    for (const d of w.store.deliveries.values()) d.status = DeliveryStatus.Retry;
    const keepsAll = aProject({ retention_policy: '' });
    const disabled = aProject({ retention_policy: '1h', is_retention_policy_enabled: false });
    w.store.add(w.store.projects, keepsAll, disabled);
    const theirs = [w.delivered(100 * HOUR, keepsAll), w.delivered(100 * HOUR, disabled)];

    expect((await w.service.sweep())?.events).toBe(0);
    expect(w.store.events.has(busy.id)).toBe(true);
    for (const event of theirs) expect(w.store.events.has(event.id)).toBe(true);
    expect(new Set(w.retention.statements.map((s) => s.projectId))).toEqual(new Set([w.project.id]));
  });

  it('deletes in batches of the configured size until a batch comes back short', async () => {
    const w = world({ CARAVAN_RETENTION_BATCH_SIZE: '2' });
    for (let i = 0; i < 5; i++) w.delivered(80 * HOUR + i);
    expect((await w.service.sweep())?.events).toBe(5);
    const eventStatements = w.retention.statements.filter((s) => s.table === 'events');
    expect(eventStatements.map((s) => s.limit)).toEqual([2, 2, 2]);
  });

  it('skips the sweep while another replica holds the lock', async () => {
    const w = world();
    const old = w.delivered(80 * HOUR);
    w.retention.otherReplicaSweeping = true;
    expect(await w.service.sweep()).toBeNull();
    expect(w.store.events.has(old.id)).toBe(true);
    expect(await w.sweeps('skipped')).toBe(1);
    expect(await w.sweeps('done')).toBe(0);
  });

  it('sweeps a second after start, then once per interval, and stops waiting at once on shutdown', async () => {
    const w = world({ CARAVAN_RETENTION_INTERVAL_SECONDS: '60' });
    const sweepsDone = () => w.retention.statements.filter((s) => s.table === 'meta_events').length;
    w.service.onApplicationBootstrap();
    await w.clock.whenSleeping();
    await w.clock.advance(FIRST_SWEEP_DELAY_MS - 1);
    expect(sweepsDone()).toBe(0);
    await w.clock.advance(1);
    await w.clock.whenSleeping();
    expect(sweepsDone()).toBe(1);

    await w.clock.advance(59_999);
    expect(sweepsDone()).toBe(1);
    await w.clock.advance(1);
    await w.clock.whenSleeping();
    expect(sweepsDone()).toBe(2);

    // The next sweep is a minute away: shutdown does not wait for it.
    await w.service.onModuleDestroy();
    expect(w.clock.sleeping).toBe(0);
    await w.clock.advance(120_000);
    expect(sweepsDone()).toBe(2);
  });

  it('a failed sweep is counted and the loop goes on', async () => {
    const w = world();
    w.retention.deleteEventsBefore = () => Promise.reject(new Error('connection terminated'));
    w.service.onApplicationBootstrap();
    await w.clock.whenSleeping();
    await w.clock.advance(FIRST_SWEEP_DELAY_MS);
    await w.clock.whenSleeping();
    expect(await w.sweeps('failed')).toBe(1);
    await w.clock.advance(60_000);
    await w.clock.whenSleeping();
    expect(await w.sweeps('failed')).toBe(2);
    await w.service.onModuleDestroy();
  });

  it('counts the rows it deleted per table', async () => {
    const w = world();
    w.delivered(80 * HOUR);
    await w.service.sweep();
    expect(await w.metric('caravan_retention_deleted_rows_total', { table: 'events' })).toBe(1);
    expect(await w.metric('caravan_retention_deleted_rows_total', { table: 'event_deliveries' })).toBe(1);
  });
});
