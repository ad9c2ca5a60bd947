import { Logger } from '@nestjs/common';
import { DeliveryStatus, EventStatus, ManualClock } from '@caravan/domain';
import type { DoorbellRinger } from '@caravan/messaging';
import type { EventDeliveriesRepository, EventsRepository, MetaEventsRepository } from '@caravan/persistence';
import {
  aDelivery,
  aProject,
  anEndpoint,
  anEvent,
  dispatcherMetrics,
  dispatcherSettings,
} from '../testing/unit-fixtures.helper';
import {
  asRepository,
  InMemoryDeliveries,
  InMemoryEvents,
  InMemoryMetaEvents,
  InMemoryStore,
  RecordingRinger,
} from '../testing/in-memory-store.fake';
import { SchedulerService } from './scheduler.service';

describe('SchedulerService.tick (in memory, manual clock)', () => {
  beforeAll(() => Logger.overrideLogger(false));

  function world(env: Record<string, string> = {}) {
    const clock = new ManualClock();
    const store = new InMemoryStore(clock);
    const settings = dispatcherSettings({ CARAVAN_DISPATCHER_DOORBELL_GRACE_SECONDS: '5', ...env });
    const metrics = dispatcherMetrics();
    const ringer = new RecordingRinger(store);
    const deliveries = new InMemoryDeliveries(store);
    const scheduler = new SchedulerService(
      settings,
      asRepository<EventDeliveriesRepository>(deliveries),
      asRepository<MetaEventsRepository>(new InMemoryMetaEvents()),
      asRepository<EventsRepository>(new InMemoryEvents(store)),
      asRepository<DoorbellRinger>(ringer),
      metrics,
      clock,
    );
    const project = aProject();
    const endpoint = anEndpoint(project);
    const event = anEvent(project, {
      status: EventStatus.Processing,
      createdAt: new Date(clock.now()),
      updatedAt: new Date(clock.now()),
    });
    store.add(store.events, event);
    const delivery = (fields: Parameters<typeof aDelivery>[3]) => {
      const row = aDelivery(event, endpoint, clock, fields);
      store.add(store.deliveries, row);
      return row;
    };
    const rungIds = () => store.rung.deliveries.map((b) => b.delivery_id);
    return { clock, store, scheduler, metrics, delivery, rungIds, project, settings, ringer, deliveries };
  }

  it('hands back a claim whose lease expired (its sender died) and rings it', async () => {
    const w = world();
    const lost = w.delivery({
      status: DeliveryStatus.Processing,
      attempts: 1,
      leaseUntil: new Date(w.clock.now() + 30_000),
    });
    await w.scheduler.tick();
    expect(w.rungIds()).toEqual([]);

    await w.clock.advance(30_001);
    await w.scheduler.tick();
    expect(w.store.delivery(lost.id)).toMatchObject({ status: DeliveryStatus.Retry, leaseUntil: null });
    expect(w.rungIds()).toEqual([lost.id]);
  });

  it('rings a Retry row when it comes due, and not again before the doorbell grace passes', async () => {
    const w = world();
    const retry = w.delivery({
      status: DeliveryStatus.Retry,
      attempts: 1,
      nextSendTime: new Date(w.clock.now() + 10_000),
    });
    await w.scheduler.tick();
    expect(w.rungIds()).toEqual([]);

    await w.clock.advance(10_000);
    await w.scheduler.tick();
    await w.scheduler.tick();
    expect(w.rungIds()).toEqual([retry.id]);

    await w.clock.advance(5_000);
    await w.scheduler.tick();
    expect(w.rungIds()).toEqual([retry.id, retry.id]);
  });

  it('re-rings a fresh Scheduled row only once its doorbell had the grace to arrive', async () => {
    const w = world();
    const fresh = w.delivery({ status: DeliveryStatus.Scheduled });
    await w.scheduler.tick();
    expect(w.rungIds()).toEqual([]);
    await w.clock.advance(5_000);
    await w.scheduler.tick();
    expect(w.rungIds()).toEqual([fresh.id]);
  });

  it('leaves final rows alone', async () => {
    const w = world();
    for (const status of [DeliveryStatus.Success, DeliveryStatus.Failure, DeliveryStatus.Discarded]) {
      w.delivery({ status, nextSendTime: new Date(0), updatedAt: new Date(0) });
    }
    await w.clock.advance(60_000);
    await w.scheduler.tick();
    expect(w.rungIds()).toEqual([]);
  });

  it('re-rings an event never routed, after the event grace', async () => {
    const w = world({ CARAVAN_DISPATCHER_EVENT_GRACE_MS: '1000' });
    const pending = anEvent(w.project, {
      status: EventStatus.Pending,
      createdAt: new Date(w.clock.now()),
      updatedAt: new Date(w.clock.now()),
    });
    w.store.add(w.store.events, pending);
    await w.scheduler.tick();
    expect(w.store.rung.events).toEqual([]);
    await w.clock.advance(Math.max(1_000, w.settings.doorbellGraceSeconds * 1000));
    await w.scheduler.tick();
    expect(w.store.rung.events).toEqual([{ project_id: w.project.id, event_id: pending.id }]);
  });

  it('drains a backlog larger than a batch in one sweep, and reports what is left due', async () => {
    const w = world({ CARAVAN_DISPATCHER_BATCH_SIZE: '2' });
    for (let i = 0; i < 5; i++) {
      w.delivery({ status: DeliveryStatus.Retry, attempts: 1, nextSendTime: new Date(w.clock.now() + 1) });
    }
    await w.clock.advance(1);
    await w.scheduler.tick();
    expect(new Set(w.rungIds()).size).toBe(5);
    expect((await w.metrics.dueBacklog.get()).values[0]?.value).toBe(5);
  });

  describe('the sweep loop', () => {
    /** Counts whole sweeps: the backlog gauges are the last thing a sweep does. */
    function counting(w: ReturnType<typeof world>) {
      let sweeps = 0;
      const backlog = w.deliveries.dueBacklog.bind(w.deliveries);
      w.deliveries.dueBacklog = () => backlog().finally(() => sweeps++);
      return () => sweeps;
    }

    it('sweeps once per interval, counted from the end of the previous sweep', async () => {
      const w = world({ CARAVAN_DISPATCHER_SCHEDULER_INTERVAL_MS: '1000' });
      const sweeps = counting(w);
      const retry = w.delivery({
        status: DeliveryStatus.Retry,
        attempts: 1,
        nextSendTime: new Date(w.clock.now() + 500),
      });
      w.scheduler.onApplicationBootstrap();
      await w.clock.whenSleeping();
      expect(sweeps()).toBe(0);

      await w.clock.advance(999);
      expect(sweeps()).toBe(0);
      expect(w.rungIds()).toEqual([]);
      await w.clock.advance(1);
      await w.clock.whenSleeping();
      expect(sweeps()).toBe(1);
      expect(w.rungIds()).toEqual([retry.id]);

      await w.clock.advance(999);
      expect(sweeps()).toBe(1);
      await w.clock.advance(1);
      await w.clock.whenSleeping();
      expect(sweeps()).toBe(2);
      await w.scheduler.onModuleDestroy();
    });

    it('a failed sweep does not stop the loop: the next one still comes', async () => {
      const w = world({ CARAVAN_DISPATCHER_SCHEDULER_INTERVAL_MS: '1000' });
      const sweeps = counting(w);
      const retry = w.delivery({
        status: DeliveryStatus.Retry,
        attempts: 1,
        nextSendTime: new Date(w.clock.now() + 500),
      });
      w.ringer.failing = true;
      w.scheduler.onApplicationBootstrap();
      await w.clock.whenSleeping();
      await w.clock.advance(1_000);
      await w.clock.whenSleeping();
      expect(sweeps()).toBe(0);
      expect(w.rungIds()).toEqual([]);

      w.ringer.failing = false;
      await w.clock.advance(1_000);
      await w.clock.whenSleeping();
      expect(sweeps()).toBe(1);
      expect(w.rungIds()).toEqual([retry.id]);
      await w.scheduler.onModuleDestroy();
    });

    it('shutdown ends the wait at once and no sweep follows', async () => {
      const w = world({ CARAVAN_DISPATCHER_SCHEDULER_INTERVAL_MS: '60000' });
      const sweeps = counting(w);
      w.scheduler.onApplicationBootstrap();
      await w.clock.whenSleeping();
      await w.scheduler.onModuleDestroy();
      expect(w.clock.sleeping).toBe(0);
      await w.clock.advance(120_000);
      expect(sweeps()).toBe(0);
    });
  });
});
