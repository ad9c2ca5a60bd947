import { CrcRateLimiter } from './crc-rate.limiter';

describe('CrcRateLimiter', () => {
  it('admits `limit` challenges per source per window, then refuses until the window ends', () => {
    let now = 1_000;
    const limiter = new CrcRateLimiter(2, 60_000, () => now);
    expect([limiter.admit('a'), limiter.admit('a'), limiter.admit('a')]).toEqual([true, true, false]);
    expect(limiter.admit('b')).toBe(true);
    now += 59_999;
    expect(limiter.admit('a')).toBe(false);
    now += 1;
    expect(limiter.admit('a')).toBe(true);
  });
});
