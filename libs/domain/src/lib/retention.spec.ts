import { parseGoDuration, retentionCutoff } from './retention';

describe('parseGoDuration', () => {
  it.each([
    ['720h', 720 * 3_600_000],
    ['1h30m', 5_400_000],
    ['10m0s', 600_000],
    ['90s', 90_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
  ])('reads %s', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(['', '30d', '720', 'h', '-1h', '0s', '1 h', 'abc'])('refuses %p', (text) => {
    expect(parseGoDuration(text)).toBeNull();
  });
});

describe('retentionCutoff', () => {
  const now = new Date('2026-01-31T00:00:00Z');

  it('is now minus the policy', () => {
    expect(retentionCutoff({ retention_policy: '24h', is_retention_policy_enabled: true }, now)).toEqual(
      new Date('2026-01-30T00:00:00Z'),
    );
  });

  it('is null without a policy, or when the project switched it off', () => {
    expect(retentionCutoff({ retention_policy: '', is_retention_policy_enabled: true }, now)).toBeNull();
    expect(retentionCutoff({ retention_policy: '24h', is_retention_policy_enabled: false }, now)).toBeNull();
  });
});
