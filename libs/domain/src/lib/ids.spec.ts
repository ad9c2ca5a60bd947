import { isUlid, newId, pooledRandom } from './ids';

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

  it('draws random values from a pool refilled once per 4,096, each a byte over 256', () => {
    let fills = 0;
    const random = pooledRandom((pool) => {
      fills += 1;
      pool.forEach((_, index) => (pool[index] = (index + fills) % 256));
    });
    const values = Array.from({ length: 4096 * 2 + 1 }, () => random());
    expect(fills).toBe(3);
    expect(values.slice(0, 3)).toEqual([1 / 256, 2 / 256, 3 / 256]);
    expect(values[4096]).toBe(2 / 256);
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
  });
});
