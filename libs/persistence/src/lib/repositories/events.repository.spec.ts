import { EventStatus, newId } from '@caravan/domain';
import { createTestDatabase, insertProject, TestDatabase } from '@caravan/testing';
import { QueryFailedError } from 'typeorm';
import { EventDeliveriesRepository } from './event-deliveries.repository';
import { EventsRepository, NewEvent } from './events.repository';
import { ProjectsRepository } from './projects.repository';

describe('EventsRepository', () => {
  let db: TestDatabase;
  let repo: EventsRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    repo = new EventsRepository(db.dataSource);
  });

  afterAll(async () => {
    await db.drop();
  });

  const staleIds = () => repo.withStalePending(1_000, 10, 10_000, async (stale) => stale.map((row) => row.id));

  function newEvent(projectId: string, overrides: Partial<NewEvent> = {}): NewEvent {
    return {
      projectId,
      eventType: 'invoice.paid',
      routing: 'broadcast',
      raw: Buffer.from('{"amount":100}'),
      ...overrides,
    };
  }

  describe('insertAcceptedMany', () => {
    it('stores a batch in input order, deciding duplicates inside the batch and against stored keys', async () => {
      const project = await insertProject(db.dataSource);
      await repo.insertAccepted(newEvent(project.id, { idempotencyKey: 'stored-before' }));
      const results = await repo.insertAcceptedMany([
        newEvent(project.id, { idempotencyKey: 'k1', eventType: 'a' }),
        newEvent(project.id, { eventType: 'b' }),
        newEvent(project.id, { idempotencyKey: 'k1', eventType: 'c' }),
        newEvent(project.id, { idempotencyKey: 'stored-before', eventType: 'd' }),
        newEvent(project.id, { eventType: 'e' }),
      ]);
      expect(results.map((r) => [r.event.eventType, r.duplicate, r.event.status])).toEqual([
        ['a', false, EventStatus.Pending],
        ['b', false, EventStatus.Pending],
        ['c', true, EventStatus.Success],
        ['d', true, EventStatus.Success],
        ['e', false, EventStatus.Pending],
      ]);
      const [{ count }] = await db.dataSource.query(
        `SELECT count(*)::int AS count FROM events WHERE project_id = $1 AND idempotency_key = 'k1' AND NOT is_duplicate_event`,
        [project.id],
      );
      expect(count).toBe(1);
    });

    it('stores an event once however often the same ids are stored again (a retry after an in-doubt commit)', async () => {
      const project = await insertProject(db.dataSource);
      const batch = [
        newEvent(project.id, { id: newId(), eventType: 'plain' }),
        newEvent(project.id, { id: newId(), eventType: 'keyed', idempotencyKey: 'in-doubt' }),
        newEvent(project.id, { id: newId(), eventType: 'loser', idempotencyKey: 'in-doubt' }),
      ];
      const first = await repo.insertAcceptedMany(batch);
      // The retry goes row by row, as the intake's does after a failed batch.
      const retried = await Promise.all(batch.map((event) => repo.insertAccepted(event)));
      const again = await repo.insertAcceptedMany(batch);
      for (const results of [retried, again]) {
        expect(results.map((r) => [r.event.id, r.duplicate])).toEqual(first.map((r) => [r.event.id, r.duplicate]));
      }
      expect(first.map((r) => r.duplicate)).toEqual([false, false, true]);
      const [{ count }] = await db.dataSource.query(`SELECT count(*)::int AS count FROM events WHERE project_id = $1`, [
        project.id,
      ]);
      expect(count).toBe(3);
    });

    it('stores nothing for an empty batch', async () => {
      await expect(repo.insertAcceptedMany([])).resolves.toEqual([]);
    });
  });

  describe('insertAccepted', () => {
    it('stores an event without a key as an original, Pending, generation 0', async () => {
      const project = await insertProject(db.dataSource);
      const first = await repo.insertAccepted(newEvent(project.id));
      const second = await repo.insertAccepted(newEvent(project.id));
      expect(first.duplicate).toBe(false);
      expect(second.duplicate).toBe(false);
      expect(first.event).toMatchObject({
        projectId: project.id,
        status: EventStatus.Pending,
        isDuplicateEvent: false,
        generation: 0,
        idempotencyKey: null,
        endpointIds: [],
        headers: {},
      });
    });

    it('stores the second original with the same key as a duplicate', async () => {
      const project = await insertProject(db.dataSource);
      const original = await repo.insertAccepted(newEvent(project.id, { idempotencyKey: 'key-1' }));
      const again = await repo.insertAccepted(newEvent(project.id, { idempotencyKey: 'key-1' }));
      const third = await repo.insertAccepted(newEvent(project.id, { idempotencyKey: 'key-1' }));

      expect(original.duplicate).toBe(false);
      expect(original.event.isDuplicateEvent).toBe(false);
      for (const duplicate of [again, third]) {
        expect(duplicate.duplicate).toBe(true);
        expect(duplicate.event.isDuplicateEvent).toBe(true);
        expect(duplicate.event.idempotencyKey).toBe('key-1');
        // Nothing to deliver, so it must not wait as Pending for the router.
        expect(duplicate.event.status).toBe(EventStatus.Success);
        expect(duplicate.event.id).not.toBe(original.event.id);
      }
      expect(await repo.findById(project.id, again.event.id)).not.toBeNull();
    });

    it('lets exactly one of 20 concurrent inserts with one key be the original', async () => {
      const project = await insertProject(db.dataSource);
      const results = await Promise.all(
        Array.from({ length: 20 }, () => repo.insertAccepted(newEvent(project.id, { idempotencyKey: 'race' }))),
      );
      expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
      const [{ originals, total }] = await db.dataSource.query(
        `SELECT count(*) FILTER (WHERE NOT is_duplicate_event)::int AS originals, count(*)::int AS total
         FROM events WHERE project_id = $1 AND idempotency_key = 'race'`,
        [project.id],
      );
      expect(originals).toBe(1);
      expect(total).toBe(20);
    });

    it('treats the same key in another project as an original', async () => {
      const projectA = await insertProject(db.dataSource);
      const projectB = await insertProject(db.dataSource);
      const a = await repo.insertAccepted(newEvent(projectA.id, { idempotencyKey: 'shared' }));
      const b = await repo.insertAccepted(newEvent(projectB.id, { idempotencyKey: 'shared' }));
      expect(a.duplicate).toBe(false);
      expect(b.duplicate).toBe(false);
    });

    it('is backed by the unique index: a raw second original violates it (23505)', async () => {
      const project = await insertProject(db.dataSource);
      await repo.insertAccepted(newEvent(project.id, { idempotencyKey: 'raw' }));
      const insert = db.dataSource.query(
        `INSERT INTO events (id, project_id, event_type, routing, raw, idempotency_key)
         VALUES ($1, $2, 'x', 'broadcast', '\\x7b7d', 'raw')`,
        [newId(), project.id],
      );
      await expect(insert).rejects.toBeInstanceOf(QueryFailedError);
      await expect(insert).rejects.toMatchObject({
        driverError: { code: '23505', constraint: 'events_project_idempotency_key_idx' },
      });
    });
  });

  describe('raw bytes', () => {
    it.each([
      ['pretty-printed JSON', Buffer.from('{\n    "a": 1,\n    "b": [ 1, 2 ]\n}\n')],
      ['unicode JSON', Buffer.from('{"name":"Zoë 🚚 \\u00e9 ñ 日本","emoji":"🎉"}', 'utf8')],
      ['JSON with odd spacing and key order', Buffer.from('{ "z":1,"a" :2.50 , "n":null }')],
      ['arbitrary bytes', Buffer.from([0x00, 0xff, 0x7b, 0x0a, 0xc3, 0x28, 0x5c, 0x78])],
    ])('round-trips %s exactly', async (_name, raw) => {
      const project = await insertProject(db.dataSource);
      const { event } = await repo.insertAccepted(newEvent(project.id, { raw }));
      expect(event.raw.equals(raw)).toBe(true);
      const reread = await repo.findById(project.id, event.id);
      expect(reread?.raw).toBeInstanceOf(Buffer);
      expect(reread?.raw.equals(raw)).toBe(true);
    });

    it('round-trips headers, endpoints and query params', async () => {
      const project = await insertProject(db.dataSource);
      const { event } = await repo.insertAccepted(
        newEvent(project.id, {
          routing: 'direct',
          endpointIds: ['01H3FRSZYKNYWGPVV46RN98PM5'],
          headers: { 'X-A': ['b'], 'X-Multi': ['1', '2'] },
          urlQueryParams: 'a=1&b=2',
          ownerId: 'owner-1',
        }),
      );
      expect(await repo.findById(project.id, event.id)).toMatchObject({
        routing: 'direct',
        endpointIds: ['01H3FRSZYKNYWGPVV46RN98PM5'],
        headers: { 'X-A': ['b'], 'X-Multi': ['1', '2'] },
        urlQueryParams: 'a=1&b=2',
        ownerId: 'owner-1',
      });
    });
  });

  describe('findForRouting', () => {
    it("returns each event named under its own project with that project's full config, once per project", async () => {
      const project = await insertProject(db.dataSource);
      const other = await insertProject(db.dataSource);
      const { event: first } = await repo.insertAccepted(newEvent(project.id));
      const { event: second } = await repo.insertAccepted(newEvent(project.id));
      const { event: theirs } = await repo.insertAccepted(newEvent(other.id));

      const found = await repo.findForRouting([
        { projectId: project.id, id: first.id },
        { projectId: project.id, id: second.id },
        // Named under the wrong project: not found.
        { projectId: project.id, id: theirs.id },
      ]);
      expect(found.map(({ event }) => event.id).sort()).toEqual([first.id, second.id].sort());
      const [expected] = await new ProjectsRepository(db.dataSource).findByIds([project.id]);
      expect(found[0]?.project).toEqual(expected);
      expect(found[0]?.project).toBe(found[1]?.project);
    });

    it('finds an event of a deleted project without its project', async () => {
      const project = await insertProject(db.dataSource);
      const { event } = await repo.insertAccepted(newEvent(project.id));
      await db.dataSource.query(`UPDATE projects SET deleted_at = now() WHERE id = $1`, [project.id]);
      const [found] = await repo.findForRouting([{ projectId: project.id, id: event.id }]);
      expect(found).toMatchObject({ event: { id: event.id }, project: undefined });
    });
  });

  /** The router's write with no deliveries to insert: the events alone are marked routed. */
  async function markRouted(projectId: string, ids: string[]): Promise<void> {
    await new EventDeliveriesRepository(db.dataSource).recordRouting(
      [],
      ids.map((id) => ({ projectId, id })),
    );
  }

  describe('findById and marking routed (EventDeliveriesRepository.recordRouting)', () => {
    it("never finds another project's event", async () => {
      const mine = await insertProject(db.dataSource);
      const theirs = await insertProject(db.dataSource);
      const { event } = await repo.insertAccepted(newEvent(theirs.id));
      expect(await repo.findById(mine.id, event.id)).toBeNull();
      await markRouted(mine.id, [event.id]);
      expect((await repo.findById(theirs.id, event.id))?.status).toBe(EventStatus.Pending);
    });

    it('moves Pending events to Processing once, and they stop looking stale', async () => {
      const project = await insertProject(db.dataSource);
      const { event } = await repo.insertAccepted(newEvent(project.id));
      await db.dataSource.query(
        `UPDATE events SET created_at = created_at - interval '5 seconds', updated_at = updated_at - interval '5 seconds' WHERE id = $1`,
        [event.id],
      );
      expect(await staleIds()).toContain(event.id);

      await markRouted(project.id, [event.id]);
      expect((await repo.findById(project.id, event.id))?.status).toBe(EventStatus.Processing);
      await db.dataSource.query(`UPDATE events SET updated_at = now() - interval '1 hour' WHERE id = $1`, [event.id]);
      expect(await staleIds()).not.toContain(event.id);
    });

    it('re-rings a Pending event soon after it is accepted, then only once per grace', async () => {
      const project = await insertProject(db.dataSource);
      const { event } = await repo.insertAccepted(newEvent(project.id));
      // Just accepted: its doorbell is likely in flight.
      expect(await staleIds()).not.toContain(event.id);
      await db.dataSource.query(
        `UPDATE events SET created_at = now() - interval '2 seconds', updated_at = now() - interval '2 seconds' WHERE id = $1`,
        [event.id],
      );
      expect(await staleIds()).toContain(event.id);
      // Rung: not again before the grace passes, however often the scheduler sweeps.
      expect(await staleIds()).not.toContain(event.id);
      await db.dataSource.query(`UPDATE events SET updated_at = now() - interval '11 seconds' WHERE id = $1`, [
        event.id,
      ]);
      expect(await staleIds()).toContain(event.id);
    });

    it('leaves an event rung again when the ring fails (the sweep rolls back)', async () => {
      const project = await insertProject(db.dataSource);
      const { event } = await repo.insertAccepted(newEvent(project.id));
      await db.dataSource.query(
        `UPDATE events SET created_at = now() - interval '2 seconds', updated_at = now() - interval '2 seconds' WHERE id = $1`,
        [event.id],
      );
      await expect(
        repo.withStalePending(1_000, 10, 10_000, async () => {
          throw new Error('kafka down');
        }),
      ).rejects.toThrow('kafka down');
      expect(await staleIds()).toContain(event.id);
    });
  });
});
