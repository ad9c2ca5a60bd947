import type { Pagination } from './api';

/**
 * Convoy's cursor paging as the lists use it: the cursor of the page being shown and the
 * direction it was reached in. A filter change goes back to the first page.
 */
export interface PageCursor {
  cursor: string;
  direction: 'next' | 'prev' | '';
}

export const FIRST_PAGE: PageCursor = { cursor: '', direction: '' };

export function pageQuery(page: PageCursor, perPage = 20): Record<string, string | number> {
  if (!page.cursor) return { perPage };
  return page.direction === 'prev'
    ? { perPage, direction: 'prev', prev_page_cursor: page.cursor }
    : { perPage, direction: 'next', next_page_cursor: page.cursor };
}

export function nextPage(pagination: Pagination | undefined): PageCursor | null {
  if (!pagination?.has_next_page || !pagination.next_page_cursor) return null;
  return { cursor: pagination.next_page_cursor, direction: 'next' };
}

export function previousPage(pagination: Pagination | undefined): PageCursor | null {
  if (!pagination?.has_prev_page || !pagination.prev_page_cursor) return null;
  return { cursor: pagination.prev_page_cursor, direction: 'prev' };
}
