import { createTestDatabase, insertEndpoint, insertEvent, insertProject, TestDatabase } from '@caravan/testing';
import { EventEntity } from '../entities/event.entity';
import { EndpointsRepository } from '../repositories/endpoints.repository';
import { EventsRepository } from '../repositories/events.repository';
import { Page, PageQuery, SortOrder, normalizePageQuery } from './cursor-pagination.helper';
import { InvalidPageCursorError } from './invalid-page-cursor.error';

describe('cursor pagination', () => {
  let db: TestDatabase;
  let events: EventsRepository;
  let projectId: string;
  let otherProjectId: string;
  /** The 45 events of the project, in id (creation) order. */
  let ids: string[];

  beforeAll(async () => {
    db = await createTestDatabase();
    events = new EventsRepository(db.dataSource);
    const project = await insertProject(db.dataSource);
    const other = await insertProject(db.dataSource);
    projectId = project.id;
    otherProjectId = other.id;
    ids = [];
    for (let i = 0; i < 45; i++) {
      ids.push((await insertEvent(db.dataSource, projectId)).id);
      // Interleave another tenant's rows so they sit between ours in id order.
      if (i % 3 === 0) {
        await insertEvent(db.dataSource, otherProjectId);
      }
    }
  });

  afterAll(async () => {
    await db.drop();
  });

  const idsOf = (page: Page<EventEntity>) => page.content.map((event) => event.id);

  describe.each<SortOrder>(['ASC', 'DESC'])('sort %s', (sort) => {
    const expectedOrder = () => (sort === 'ASC' ? [...ids] : [...ids].reverse());

    it('walks 45 rows forward by 20 and back again, losing and repeating nothing', async () => {
      const list = (query: PageQuery) => events.search(projectId, {}, { perPage: 20, sort, ...query });
      const order = expectedOrder();

      const first = await list({});
      expect(idsOf(first)).toEqual(order.slice(0, 20));
      expect(first.pagination).toEqual({
        per_page: 20,
        has_next_page: true,
        has_prev_page: false,
        next_page_cursor: order[19],
        prev_page_cursor: order[0],
      });

      const second = await list({ direction: 'next', next_page_cursor: first.pagination.next_page_cursor });
      expect(idsOf(second)).toEqual(order.slice(20, 40));
      expect(second.pagination).toMatchObject({ has_next_page: true, has_prev_page: true });

      const third = await list({ direction: 'next', next_page_cursor: second.pagination.next_page_cursor });
      expect(idsOf(third)).toEqual(order.slice(40, 45));
      expect(third.pagination).toMatchObject({ has_next_page: false, has_prev_page: true });

      const forward = [...idsOf(first), ...idsOf(second), ...idsOf(third)];
      expect(forward).toEqual(order);

      // Back from the last page.
      const backSecond = await list({ direction: 'prev', prev_page_cursor: third.pagination.prev_page_cursor });
      expect(idsOf(backSecond)).toEqual(order.slice(20, 40));
      expect(backSecond.pagination).toMatchObject({ has_next_page: true, has_prev_page: true });

      const backFirst = await list({ direction: 'prev', prev_page_cursor: backSecond.pagination.prev_page_cursor });
      expect(idsOf(backFirst)).toEqual(order.slice(0, 20));
      expect(backFirst.pagination).toMatchObject({ has_next_page: true, has_prev_page: false });

      // Nothing before the first page.
      const beforeFirst = await list({ direction: 'prev', prev_page_cursor: backFirst.pagination.prev_page_cursor });
      expect(beforeFirst.content).toEqual([]);
      expect(beforeFirst.pagination).toMatchObject({
        has_prev_page: false,
        has_next_page: true,
        next_page_cursor: '',
        prev_page_cursor: '',
      });
    });

    it("never shows another project's rows", async () => {
      const seen: string[] = [];
      let page = await events.search(projectId, {}, { perPage: 100, sort });
      seen.push(...idsOf(page));
      expect(page.pagination.has_next_page).toBe(false);
      expect(seen).toEqual(expectedOrder());
      expect(page.content.every((event) => event.projectId === projectId)).toBe(true);

      page = await events.search(otherProjectId, {}, { perPage: 100, sort });
      expect(page.content).toHaveLength(15);
      expect(idsOf(page).some((id) => ids.includes(id))).toBe(false);
    });
  });

  it('defaults to 20 per page, newest first, and caps perPage at 1000', async () => {
    const page = await events.search(projectId);
    expect(idsOf(page)).toEqual([...ids].reverse().slice(0, 20));
    expect(normalizePageQuery({ perPage: 5000 }).perPage).toBe(1000);
    expect(normalizePageQuery({ perPage: 0 }).perPage).toBe(20);
    expect(normalizePageQuery({ perPage: Number.NaN }).perPage).toBe(20);
  });

  it('rejects a cursor that is not a ULID', async () => {
    await expect(events.search(projectId, {}, { next_page_cursor: "x' OR 1=1 --" })).rejects.toBeInstanceOf(
      InvalidPageCursorError,
    );
  });

  it('pages filtered lists too (events by endpoint, endpoints by owner)', async () => {
    const project = await insertProject(db.dataSource);
    const endpoints = new EndpointsRepository(db.dataSource);
    const target = await insertEndpoint(db.dataSource, project.id, { ownerId: 'owner-a', name: 'Billing hook' });
    await insertEndpoint(db.dataSource, project.id, { ownerId: 'owner-b', name: 'Other' });
    const addressed = await insertEvent(db.dataSource, project.id, { routing: 'direct', endpointIds: [target.id] });
    await insertEvent(db.dataSource, project.id);

    expect(idsOf(await events.search(project.id, { endpointIds: [target.id] }))).toEqual([addressed.id]);
    const byOwner = await endpoints.list(project.id, { ownerId: 'owner-a' });
    expect(byOwner.content.map((endpoint) => endpoint.id)).toEqual([target.id]);
    const byName = await endpoints.list(project.id, { q: 'billing' });
    expect(byName.content.map((endpoint) => endpoint.id)).toEqual([target.id]);
    expect((await endpoints.list(project.id, { q: '%' })).content).toEqual([]);
  });
});
