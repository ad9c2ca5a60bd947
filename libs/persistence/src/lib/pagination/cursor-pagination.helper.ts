import { isUlid } from '@caravan/domain';
import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { InvalidPageCursorError } from './invalid-page-cursor.error';

export type SortOrder = 'ASC' | 'DESC';
export type PageDirection = 'next' | 'prev';

/** Convoy's list query parameters (wire names, so the API can pass its query through). */
export interface PageQuery {
  perPage?: number;
  direction?: PageDirection;
  next_page_cursor?: string;
  prev_page_cursor?: string;
  sort?: SortOrder;
}

export interface PaginationData {
  per_page: number;
  has_next_page: boolean;
  has_prev_page: boolean;
  /** Id of the last item on the page ('' when the page is empty). */
  next_page_cursor: string;
  /** Id of the first item on the page ('' when the page is empty). */
  prev_page_cursor: string;
}

export interface Page<T> {
  content: T[];
  pagination: PaginationData;
}

export const DEFAULT_PER_PAGE = 20;
/** The most rows one page serves; a larger perPage is served this many (pagination.per_page says so). */
export const MAX_PER_PAGE = 1000;

interface NormalizedPageQuery {
  perPage: number;
  sort: SortOrder;
  /** Set only when a cursor was given; without one the first page is read. */
  cursor: string | null;
  backwards: boolean;
}

export function normalizePageQuery(query: PageQuery = {}): NormalizedPageQuery {
  const requested = Math.trunc(Number(query.perPage ?? DEFAULT_PER_PAGE));
  const perPage = Number.isFinite(requested) && requested >= 1 ? Math.min(requested, MAX_PER_PAGE) : DEFAULT_PER_PAGE;
  const sort: SortOrder = query.sort === 'ASC' ? 'ASC' : 'DESC';
  const backwards = query.direction === 'prev';
  const cursor = (backwards ? query.prev_page_cursor : query.next_page_cursor) || null;
  if (cursor !== null && !isUlid(cursor)) {
    throw new InvalidPageCursorError(cursor);
  }
  return { perPage, sort, cursor, backwards: backwards && cursor !== null };
}

/**
 * The one keyset paginator every list uses. `qb` carries the tenant and filter conditions;
 * this adds the cursor condition, the order on the ULID id (ULIDs sort by creation time) and
 * a limit of perPage+1, the extra row telling whether another page lies in the direction of
 * travel. Whether one lies the other way is a single indexed EXISTS probe.
 */
export async function paginate<T extends ObjectLiteral & { id: string }>(
  qb: SelectQueryBuilder<T>,
  query: PageQuery = {},
): Promise<Page<T>> {
  const { perPage, sort, cursor, backwards } = normalizePageQuery(query);
  const id = `${qb.alias}.id`;
  // Walking backwards reads in the opposite order, nearest the cursor first, then flips.
  const readOrder: SortOrder = backwards ? opposite(sort) : sort;

  const pageQuery = qb
    .clone()
    .orderBy(id, readOrder)
    .limit(perPage + 1);
  if (cursor !== null) {
    pageQuery.andWhere(`${id} ${readOrder === 'ASC' ? '>' : '<'} :pageCursor`, { pageCursor: cursor });
  }
  const rows = await pageQuery.getMany();
  const moreInTravelDirection = rows.length > perPage;
  const content = rows.slice(0, perPage);
  if (backwards) {
    content.reverse();
  }

  // "before" and "after" are in display order: before the first item, after the last one.
  const beforeOp = sort === 'ASC' ? '<' : '>';
  const afterOp = sort === 'ASC' ? '>' : '<';
  const exists = (op: string, edge: string) =>
    qb.clone().andWhere(`${id} ${op} :pageEdge`, { pageEdge: edge }).getExists();

  let hasNext: boolean;
  let hasPrev: boolean;
  if (content.length === 0) {
    // Nothing on this page: only the far side of the cursor can hold rows.
    hasNext = !backwards ? false : cursor !== null && (await exists(`${afterOp}=`, cursor));
    hasPrev = backwards ? false : cursor !== null && (await exists(`${beforeOp}=`, cursor));
  } else if (backwards) {
    hasPrev = moreInTravelDirection;
    hasNext = await exists(afterOp, content[content.length - 1].id);
  } else {
    hasNext = moreInTravelDirection;
    hasPrev = cursor !== null && (await exists(beforeOp, content[0].id));
  }

  return {
    content,
    pagination: {
      per_page: perPage,
      has_next_page: hasNext,
      has_prev_page: hasPrev,
      next_page_cursor: content.length > 0 ? content[content.length - 1].id : '',
      prev_page_cursor: content.length > 0 ? content[0].id : '',
    },
  };
}

function opposite(sort: SortOrder): SortOrder {
  return sort === 'ASC' ? 'DESC' : 'ASC';
}
