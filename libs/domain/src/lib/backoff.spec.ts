import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const options = { initialMs: 1_000, maxMs: 30_000 };

  it('starts at the initial delay and doubles with each failure', () => {
    expect([1, 2, 3, 4, 5].map((failures) => backoffDelay(failures, options))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000,
    ]);
  });

  it('never exceeds the ceiling, however many failures', () => {
    expect(backoffDelay(6, options)).toBe(30_000);
    expect(backoffDelay(10_000, options)).toBe(30_000);
  });

  it('treats zero failures like the first', () => {
    expect(backoffDelay(0, options)).toBe(1_000);
  });
});
