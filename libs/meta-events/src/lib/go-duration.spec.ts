import { goDuration } from './go-duration';

describe('goDuration', () => {
  it.each([
    [0, ''],
    [10, '10s'],
    [60, '1m0s'],
    [90, '1m30s'],
    [3661, '1h1m1s'],
  ])('%i s → %s', (seconds, expected) => {
    expect(goDuration(seconds)).toBe(expected);
  });
});
