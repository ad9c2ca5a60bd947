import { FIRST_PAGE, nextPage, pageQuery, previousPage } from './paging';

const pagination = (over: object = {}) => ({
  per_page: 20,
  has_next_page: true,
  has_prev_page: true,
  next_page_cursor: '01J00000000000000000000NXT',
  prev_page_cursor: '01J00000000000000000000PRV',
  ...over,
});

describe('cursor paging', () => {
  it('asks for the first page without a cursor', () => {
    expect(pageQuery(FIRST_PAGE)).toEqual({ perPage: 20 });
    expect(pageQuery(FIRST_PAGE, 50)).toEqual({ perPage: 50 });
  });

  it("moves with Convoy's cursor parameters in either direction", () => {
    const next = nextPage(pagination());
    expect(next).toEqual({ cursor: '01J00000000000000000000NXT', direction: 'next' });
    expect(pageQuery(next ?? FIRST_PAGE)).toEqual({
      perPage: 20,
      direction: 'next',
      next_page_cursor: '01J00000000000000000000NXT',
    });
    const previous = previousPage(pagination());
    expect(pageQuery(previous ?? FIRST_PAGE)).toEqual({
      perPage: 20,
      direction: 'prev',
      prev_page_cursor: '01J00000000000000000000PRV',
    });
  });

  it('offers no page beyond the ends (or before the first answer)', () => {
    expect(nextPage(pagination({ has_next_page: false }))).toBeNull();
    expect(previousPage(pagination({ has_prev_page: false }))).toBeNull();
    expect(nextPage(pagination({ next_page_cursor: '' }))).toBeNull();
    expect(nextPage(undefined)).toBeNull();
  });
});
