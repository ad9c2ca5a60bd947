import { isUlid, newId } from './ids';

describe('ids', () => {
  it('generates valid ULIDs', () => {
    expect(isUlid(newId())).toBe(true);
  });

  it('generates strictly increasing ids within one process, so they sort by creation', () => {
    const ids = Array.from({ length: 1000 }, () => newId());
    const sorted = [...ids].sort();
    expect(ids).toEqual(sorted);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('rejects strings that are not ULIDs', () => {
    expect(isUlid('not-a-ulid')).toBe(false);
    expect(isUlid('01H3FRSZYKNYWGPVV46RN98PM5'.toLowerCase())).toBe(false);
    expect(isUlid('01H3FRSZYKNYWGPVV46RN98PMU')).toBe(false);
  });
});
