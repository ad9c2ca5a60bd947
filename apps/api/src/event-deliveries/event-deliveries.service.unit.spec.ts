import { DeliveryStatus, EndpointStatus, ManualClock } from '@caravan/domain';
import type { DoorbellRinger } from '@caravan/messaging';
import type {
  DeliveryAttemptsRepository,
  EndpointsRepository,
  EventDeliveriesRepository,
  EventsRepository,
} from '@caravan/persistence';
import { aDelivery, anEndpoint, anEvent } from '@caravan/testing';
import {
  ApiStore,
  asRepository,
  InMemoryApiDeliveries,
  InMemoryApiEndpoints,
  RecordingApiRinger,
} from '../testing/in-memory-api.fake';
import { EventDeliveriesService } from './event-deliveries.service';

const { Success, Failure, Discarded, Retry, Scheduled } = DeliveryStatus;

describe('EventDeliveriesService manual retries (in memory)', () => {
  function world() {
    const clock = new ManualClock();
    const store = new ApiStore(clock);
    const service = new EventDeliveriesService(
      asRepository<EventDeliveriesRepository>(new InMemoryApiDeliveries(store)),
      asRepository<DeliveryAttemptsRepository>({}),
      asRepository<EndpointsRepository>(new InMemoryApiEndpoints(store)),
      asRepository<EventsRepository>({}),
      asRepository<DoorbellRinger>(new RecordingApiRinger(store)),
      clock,
    );
    const project = { id: 'p1' };
    const endpoint = anEndpoint(project);
    store.endpoints.set(endpoint.id, endpoint);
    // Rows that have used up their attempts, as the retry endpoints find them.
    const delivery = (status: DeliveryStatus, fields = {}) => {
      const row = aDelivery(anEvent(project), endpoint, clock, {
        status,
        description: 'Retry limit exceeded',
        attempts: 3,
        ...fields,
      });
      store.deliveries.set(row.id, row);
      return row;
    };
    const rung = () => store.rung.map((bell) => bell.delivery_id);
    return { store, service, endpoint, delivery, rung, clock };
  }

  it('batch retry requeues Failure and Discarded rows, due now, rings them and counts the rest as failures', async () => {
    const w = world();
    const failed = w.delivery(Failure);
    const discarded = w.delivery(Discarded);
    w.delivery(Success);
    w.delivery(Retry);
    const paused = anEndpoint({ id: 'p1' }, { status: EndpointStatus.Paused });
    w.store.endpoints.set(paused.id, paused);
    const stuck = Object.assign(w.delivery(Failure), { endpointId: paused.id });

    expect(await w.service.batchRetry('p1', {})).toEqual({ num_success: 2, num_failure: 1 });
    expect(w.store.deliveries.get(failed.id)?.status).toBe(Scheduled);
    expect(w.store.deliveries.get(discarded.id)?.status).toBe(Scheduled);
    expect(w.store.deliveries.get(stuck.id)?.status).toBe(Failure);
    expect(w.rung().sort()).toEqual([failed.id, discarded.id].sort());
  });

  it("batch retry never touches another project's deliveries", async () => {
    const w = world();
    const other = anEndpoint({ id: 'p2' });
    w.store.endpoints.set(other.id, other);
    const theirs = Object.assign(w.delivery(Failure), { projectId: 'p2', endpointId: other.id });
    expect(await w.service.batchRetry('p1', {})).toEqual({ num_success: 0, num_failure: 0 });
    expect(w.store.deliveries.get(theirs.id)?.status).toBe(Failure);
  });

  it("without dates, batch retry covers the seven days before the clock's now", async () => {
    const w = world();
    const recent = w.delivery(Failure, { createdAt: new Date(w.clock.now() - 6 * 86_400_000) });
    const old = w.delivery(Failure, { createdAt: new Date(w.clock.now() - 8 * 86_400_000) });
    expect(await w.service.batchRetry('p1', {})).toEqual({ num_success: 1, num_failure: 0 });
    expect(w.rung()).toEqual([recent.id]);
    expect(w.store.deliveries.get(old.id)?.status).toBe(Failure);
  });

  it('resend refuses a Success (pointing at forceresend) and a delivery whose endpoint is not active', async () => {
    const w = world();
    const done = w.delivery(Success);
    await expect(w.service.resend('p1', done.id)).rejects.toThrow('use forceresend');
    w.endpoint.status = EndpointStatus.Inactive;
    const failed = w.delivery(Failure);
    await expect(w.service.resend('p1', failed.id)).rejects.toThrow(`endpoint ${w.endpoint.id}`);
    expect(w.rung()).toEqual([]);
  });

  it('force resend takes Success rows only, each id once', async () => {
    const w = world();
    const done = w.delivery(Success);
    const failed = w.delivery(Failure);
    expect(await w.service.forceResend('p1', [done.id, done.id, failed.id])).toEqual({
      num_success: 1,
      num_failure: 1,
    });
    expect(w.rung()).toEqual([done.id]);
    expect(w.store.deliveries.get(failed.id)?.status).toBe(Failure);
  });
});
