import { DeliveryStatus, newId } from '@caravan/domain';
import {
  claimedRows,
  createTestDatabase,
  deliveryRow,
  insertDeliveryWorld,
  insertEndpoint,
  insertEvent,
  insertProject,
  insertSubscription,
  TestDatabase,
} from '@caravan/testing';
import { DataSource } from 'typeorm';
import { createDataSourceOptions } from '../data-source.factory';
import { RELEASE_MARGIN_SECONDS } from '../sql/lease.sql';
import { EventDeliveriesRepository } from './event-deliveries.repository';

describe('EventDeliveriesRepository', () => {
  let db: TestDatabase;
  let repo: EventDeliveriesRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    repo = new EventDeliveriesRepository(db.dataSource);
  });

  afterAll(async () => {
    await db.drop();
  });

  /** Sets columns directly, to put rows into states the tests need. */
  async function setRows(ids: string[], assignments: string): Promise<void> {
    await db.dataSource.query(`UPDATE event_deliveries SET ${assignments} WHERE id = ANY($1::text[])`, [ids]);
  }

  async function statusesOf(ids: string[]): Promise<Map<string, string>> {
    const rows: Array<{ id: string; status: string }> = await db.dataSource.query(
      `SELECT id, status FROM event_deliveries WHERE id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.status]));
  }

  describe('insertScheduled', () => {
    it('creates one row per (event, subscription, generation) however often it is called', async () => {
      const project = await insertProject(db.dataSource);
      const endpoint = await insertEndpoint(db.dataSource, project.id);
      const subscriptions = [
        await insertSubscription(db.dataSource, project.id, endpoint.id),
        await insertSubscription(db.dataSource, project.id, endpoint.id),
      ];
      const event = await insertEvent(db.dataSource, project.id);
      const rows = subscriptions.map((subscription) => deliveryRow(event, subscription));

      const first = await repo.insertScheduled(rows);
      const second = await repo.insertScheduled(rows.map((row) => ({ ...row, id: undefined })));
      expect(first).toHaveLength(2);
      expect(second).toEqual([]);

      // A replay bumps the generation: that is a new set.
      const replayed = await repo.insertScheduled(rows.map((row) => ({ ...row, generation: 1 })));
      expect(replayed).toHaveLength(2);

      const [{ n }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM event_deliveries WHERE event_id = $1`, [
        event.id,
      ]);
      expect(n).toBe(4);
    });

    it('stores the given fields and fills the defaults', async () => {
      const world = await insertDeliveryWorld(db.dataSource, { eventCount: 1, subscriptionCount: 1 });
      const delivery = await repo.findById(world.project.id, world.deliveryIds[0]);
      expect(delivery).toMatchObject({
        projectId: world.project.id,
        eventId: world.events[0].id,
        endpointId: world.endpoint.id,
        subscriptionId: world.subscriptions[0].id,
        status: DeliveryStatus.Scheduled,
        attempts: 0,
        retryLimit: 10,
        leaseUntil: null,
        headers: {},
      });
      expect(delivery?.nextSendTime).toBeInstanceOf(Date);
      // Tenant-scoped: the same id under another project is not found.
      const other = await insertProject(db.dataSource);
      expect(await repo.findById(other.id, world.deliveryIds[0])).toBeNull();
    });
  });

  describe('recordRouting', () => {
    async function eventStatus(id: string): Promise<string> {
      const [{ status }] = await db.dataSource.query(`SELECT status FROM events WHERE id = $1`, [id]);
      return status;
    }

    it("inserts a batch's deliveries and marks its events routed in one call, each event by its own project", async () => {
      const project = await insertProject(db.dataSource);
      const endpoint = await insertEndpoint(db.dataSource, project.id);
      const subscription = await insertSubscription(db.dataSource, project.id, endpoint.id);
      const [routed, unmatched] = [
        await insertEvent(db.dataSource, project.id),
        await insertEvent(db.dataSource, project.id),
      ];
      const other = await insertProject(db.dataSource);
      const theirs = await insertEvent(db.dataSource, other.id);
      const rows = [deliveryRow(routed, subscription)];

      const inserted = await repo.recordRouting(rows, [
        { projectId: project.id, id: routed.id },
        { projectId: project.id, id: unmatched.id },
        // Named under the wrong project: left alone.
        { projectId: project.id, id: theirs.id },
      ]);
      expect(inserted).toHaveLength(1);
      expect(await eventStatus(routed.id)).toBe('Processing');
      expect(await eventStatus(unmatched.id)).toBe('Processing');
      expect(await eventStatus(theirs.id)).toBe('Pending');

      // Routing the same batch again (a redelivered doorbell) inserts nothing.
      expect(await repo.recordRouting(rows, [{ projectId: project.id, id: routed.id }])).toEqual([]);
    });

    it('marks the events routed with the last of the rows when they take several statements', async () => {
      const project = await insertProject(db.dataSource);
      const endpoint = await insertEndpoint(db.dataSource, project.id);
      const subscription = await insertSubscription(db.dataSource, project.id, endpoint.id);
      const event = await insertEvent(db.dataSource, project.id);
      // More rows than fit under Postgres's bind-parameter limit in one statement.
      const rows = Array.from({ length: 3_000 }, () => deliveryRow(event, subscription, { subscriptionId: newId() }));
      const inserted = await repo.recordRouting(rows, [{ projectId: project.id, id: event.id }]);
      expect(inserted).toHaveLength(3_000);
      expect(await eventStatus(event.id)).toBe('Processing');
    });
  });

  describe('claimDue', () => {
    it('claims only Scheduled/Retry rows whose next_send_time has come', async () => {
      const world = await insertDeliveryWorld(db.dataSource, { eventCount: 6, subscriptionCount: 1 });
      const [scheduled, retry, future, success, processing, failure] = world.deliveryIds;
      await setRows([retry], `status = 'Retry'`);
      await setRows([future], `next_send_time = now() + interval '1 hour'`);
      await setRows([success], `status = 'Success'`);
      await setRows([processing], `status = 'Processing', lease_until = now() + interval '1 minute'`);
      await setRows([failure], `status = 'Failure'`);

      const claimed = await claimedRows(repo, world.deliveryIds, 30);

      expect(claimed.map((row) => row.id).sort()).toEqual([scheduled, retry].sort());
      for (const row of claimed) {
        expect(row.status).toBe(DeliveryStatus.Processing);
        expect(row.leaseUntil).toBeInstanceOf(Date);
        // Lease is ~30 s from now (allowing for clock skew between Node and Postgres).
        const leaseSeconds = ((row.leaseUntil as Date).getTime() - Date.now()) / 1000;
        expect(leaseSeconds).toBeGreaterThan(20);
        expect(leaseSeconds).toBeLessThan(40);
      }
      const statuses = await statusesOf(world.deliveryIds);
      expect(statuses.get(future)).toBe('Scheduled');
      expect(statuses.get(success)).toBe('Success');
      expect(statuses.get(failure)).toBe('Failure');

      // Claimed rows are not claimable again.
      expect(await claimedRows(repo, world.deliveryIds, 30)).toEqual([]);
    });

    it('ignores unknown ids and an empty list', async () => {
      expect(await claimedRows(repo, [], 30)).toEqual([]);
      expect(await claimedRows(repo, ['01H3FRSZYKNYWGPVV46RN98PM5'], 30)).toEqual([]);
    });

    it('never hands the same row to two concurrent claimers on separate pools', async () => {
      const world = await insertDeliveryWorld(db.dataSource, { eventCount: 20, subscriptionCount: 10 });
      expect(world.deliveryIds).toHaveLength(200);

      const second = new DataSource(createDataSourceOptions({ url: db.url, poolSize: 10 }));
      await second.initialize();
      try {
        const claimers = [repo, new EventDeliveriesRepository(second)];
        // Each claimer fires several overlapping claims over all ids, some in reverse order.
        const results = await Promise.all(
          claimers.map(async (claimer, c) => {
            const calls = Array.from({ length: 5 }, (_, i) =>
              claimedRows(claimer, (i + c) % 2 === 0 ? world.deliveryIds : [...world.deliveryIds].reverse(), 60),
            );
            return (await Promise.all(calls)).flat().map((row) => row.id);
          }),
        );
        const [a, b] = results;
        const all = [...a, ...b];
        expect(new Set(all).size).toBe(all.length); // nobody got a row twice
        expect(new Set(all)).toEqual(new Set(world.deliveryIds)); // and every row went to someone
        expect(a.filter((id) => b.includes(id))).toEqual([]);
      } finally {
        await second.destroy();
      }
    });
  });

  describe('withDueDoorbells', () => {
    it('hands due rows, oldest first, with what a doorbell needs, and skips a fresh first doorbell', async () => {
      const world = await insertDeliveryWorld(db.dataSource, { eventCount: 4, subscriptionCount: 1 });
      const [older, newer, notDue, fresh] = world.deliveryIds;
      await setRows([older], `next_send_time = now() - interval '2 hours', updated_at = now() - interval '3 hours'`);
      await setRows(
        [newer],
        `next_send_time = now() - interval '1 hour', updated_at = now() - interval '2 hours', status = 'Retry'`,
      );
      await setRows([notDue], `next_send_time = now() + interval '1 hour'`);
      // A Scheduled row updated after it became due: its first doorbell is in flight.
      await setRows([fresh], `next_send_time = now() - interval '1 minute', updated_at = now()`);

      const due = await repo.withDueDoorbells(10_000, 60, async (rows) => rows);
      const mine = due.filter((ref) => world.deliveryIds.includes(ref.id));
      expect(mine).toEqual([
        { id: older, projectId: world.project.id, endpointId: world.endpoint.id },
        { id: newer, projectId: world.project.id, endpointId: world.endpoint.id },
      ]);
      // Rung rows are marked: not handed out again before the grace passes.
      const again = await repo.withDueDoorbells(10_000, 60, async (rows) => rows);
      expect(again.filter((ref) => world.deliveryIds.includes(ref.id))).toEqual([]);
    });

    it('never gives the same row to two concurrent schedulers', async () => {
      // Park everything else far in the future so only this test's rows are due.
      await db.dataSource.query(`UPDATE event_deliveries SET next_send_time = now() + interval '10 days'`);
      const world = await insertDeliveryWorld(db.dataSource, { eventCount: 10, subscriptionCount: 7 });
      await setRows(
        world.deliveryIds,
        `next_send_time = now() - interval '1 minute', updated_at = now() - interval '1 hour'`,
      );

      const second = new DataSource(createDataSourceOptions({ url: db.url, poolSize: 4 }));
      await second.initialize();
      try {
        const schedulers = [repo, new EventDeliveriesRepository(second), repo, new EventDeliveriesRepository(second)];
        // Each holds its locks until every scheduler has taken its batch.
        let arrived = 0;
        let release!: () => void;
        const allArrived = new Promise<void>((resolve) => (release = resolve));
        const batches = await Promise.all(
          schedulers.map((scheduler) =>
            scheduler.withDueDoorbells(20, 60, async (due) => {
              if (++arrived === schedulers.length) {
                release();
              }
              await allArrived;
              return due.map((ref) => ref.id);
            }),
          ),
        );
        const all = batches.flat();
        // 4 × 20 wanted, 70 exist: three full batches, the rest to the fourth, nothing twice.
        expect(batches.map((batch) => batch.length).sort((x, y) => x - y)).toEqual([10, 20, 20, 20]);
        expect(new Set(all).size).toBe(all.length);
        expect(new Set(all)).toEqual(new Set(world.deliveryIds));
      } finally {
        await second.destroy();
      }
    });
  });

  describe('releaseExpiredLeases', () => {
    it('returns Processing rows whose lease expired past the margin to Scheduled or Retry, due now', async () => {
      const world = await insertDeliveryWorld(db.dataSource, { eventCount: 4, subscriptionCount: 1 });
      const [neverTried, triedOnce, stillLeased, justLapsed] = world.deliveryIds;
      const expired = `now() - interval '${RELEASE_MARGIN_SECONDS + 1} seconds'`;
      await setRows([neverTried], `status = 'Processing', lease_until = ${expired}`);
      await setRows([triedOnce], `status = 'Processing', attempts = 1, lease_until = ${expired}`);
      await setRows([stillLeased], `status = 'Processing', lease_until = now() + interval '1 minute'`);
      // Lapsed a moment ago: its live holder may be renewing it as Postgres comes back.
      await setRows([justLapsed], `status = 'Processing', lease_until = now() - interval '200 milliseconds'`);

      const released = await repo.releaseExpiredLeases(1000);
      expect(released.map((ref) => ref.id).sort()).toEqual([neverTried, triedOnce].sort());

      const statuses = await statusesOf(world.deliveryIds);
      expect(statuses.get(neverTried)).toBe('Scheduled');
      expect(statuses.get(triedOnce)).toBe('Retry');
      expect(statuses.get(stillLeased)).toBe('Processing');
      expect(statuses.get(justLapsed)).toBe('Processing');
      // And they are claimable again.
      expect((await claimedRows(repo, [neverTried, triedOnce], 30)).map((row) => row.id).sort()).toEqual(
        [neverTried, triedOnce].sort(),
      );
    });
  });
});
