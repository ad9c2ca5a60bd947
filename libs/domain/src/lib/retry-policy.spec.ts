import { RetryStrategyType } from './project-config';
import {
  applyRetryAfter,
  DEFAULT_MAX_RETRY_SECONDS,
  EXPONENTIAL_JITTER_FRACTION,
  nextDelaySeconds,
  parseRetryAfter,
  RETRY_AFTER_STATUSES,
} from './retry-policy';

const noJitter = (): number => 0;
const { Linear, Exponential } = RetryStrategyType;

describe('retry policy', () => {
  describe('nextDelaySeconds', () => {
    it.each([1, 2, 5, 10, 100])(
      'linear is the constant duration at attempt %i, with no jitter and no cap',
      (attempt) => {
        expect(
          nextDelaySeconds({
            strategy: Linear,
            duration: 10,
            attempt,
            maxRetrySeconds: 5,
            random: () => 0.99,
          }),
        ).toBe(10);
      },
    );

    it.each([
      // attempt, nominal = min(10·2^(attempt−1), 600)
      [1, 10],
      [2, 20],
      [3, 40],
      [4, 80],
      [5, 160],
      [6, 320],
      [7, 600],
      [8, 600],
      [50, 600],
      [5000, 600],
    ])('exponential, attempt %i → %i s before jitter', (attempt, nominal) => {
      expect(
        nextDelaySeconds({
          strategy: Exponential,
          duration: 10,
          attempt,
          maxRetrySeconds: 600,
          random: noJitter,
        }),
      ).toBe(nominal);
    });

    it.each([
      // random draw → factor of the nominal delay 40 (attempt 3, duration 10)
      [0, 40],
      [0.25, 38],
      [0.5, 36],
      [0.75, 34],
    ])('bounded downward jitter: random %p → %p s', (draw, expected) => {
      expect(
        nextDelaySeconds({
          strategy: Exponential,
          duration: 10,
          attempt: 3,
          maxRetrySeconds: 600,
          random: () => draw,
        }),
      ).toBeCloseTo(expected, 10);
    });

    it('jitter stays within [(1−J)·d, d] and keeps its spread at the cap', () => {
      expect(EXPONENTIAL_JITTER_FRACTION).toBe(0.2);
      const atCap = (draw: number): number =>
        nextDelaySeconds({
          strategy: Exponential,
          duration: 10,
          attempt: 20,
          maxRetrySeconds: 600,
          random: () => draw,
        });
      expect(atCap(0)).toBe(600);
      expect(atCap(0.5)).toBeCloseTo(540, 10);
      expect(atCap(0.999999)).toBeGreaterThan(480);
      expect(atCap(0.999999)).toBeLessThan(481);
      for (let i = 0; i < 1000; i++) {
        const d = atCap(Math.random());
        expect(d).toBeGreaterThan(480);
        expect(d).toBeLessThanOrEqual(600);
      }
    });

    it.each([
      ['1 (out of range)', 1, 480],
      ['above 1', 7, 480],
      ['negative', -3, 600],
      ['NaN', Number.NaN, 600],
    ])('clamps a misbehaving random source: %s', (_name, draw, expected) => {
      const d = nextDelaySeconds({
        strategy: Exponential,
        duration: 10,
        attempt: 20,
        maxRetrySeconds: 600,
        random: () => draw,
      });
      expect(d).toBeCloseTo(expected, 6);
      expect(d).toBeLessThanOrEqual(600);
    });

    it('exponential with duration 0 is 0 (no NaN at huge attempts)', () => {
      expect(
        nextDelaySeconds({
          strategy: Exponential,
          duration: 0,
          attempt: 2000,
          maxRetrySeconds: 600,
          random: noJitter,
        }),
      ).toBe(0);
    });

    it('a base above the cap is capped from the first retry', () => {
      expect(
        nextDelaySeconds({
          strategy: Exponential,
          duration: 900,
          attempt: 1,
          maxRetrySeconds: 600,
          random: noJitter,
        }),
      ).toBe(600);
    });

    it('has a documented default ceiling', () => {
      expect(DEFAULT_MAX_RETRY_SECONDS).toBe(3600);
    });

    it.each([
      ['attempt 0', { attempt: 0 }],
      ['fractional attempt', { attempt: 1.5 }],
      ['negative duration', { duration: -1 }],
      ['infinite duration', { duration: Number.POSITIVE_INFINITY }],
      ['zero cap', { maxRetrySeconds: 0 }],
      ['NaN cap', { maxRetrySeconds: Number.NaN }],
      ['unknown strategy', { strategy: 'fibonacci' as RetryStrategyType }],
    ])('rejects %s', (_name, override) => {
      expect(() =>
        nextDelaySeconds({
          strategy: Exponential,
          duration: 10,
          attempt: 1,
          maxRetrySeconds: 600,
          random: noJitter,
          ...override,
        }),
      ).toThrow(RangeError);
    });
  });

  describe('parseRetryAfter', () => {
    const now = new Date('2024-06-01T12:00:00.000Z');

    it.each<[string, string | string[] | null | undefined, number | null]>([
      ['delta-seconds', '120', 120],
      ['zero', '0', 0],
      ['padded', '  30 ', 30],
      ['first of several values', ['45', '99'], 45],
      ['IMF-fixdate', 'Sat, 01 Jun 2024 12:01:30 GMT', 90],
      ['IMF-fixdate in the past', 'Sat, 01 Jun 2024 11:59:00 GMT', -60],
      ['RFC 850 date', 'Saturday, 01-Jun-24 12:02:00 GMT', 120],
      ['asctime date', 'Sat Jun  1 12:00:10 2024', 10],
      ['asctime date, two-digit day', 'Sat Jun 15 12:00:00 2024', 14 * 86400],
      ['absent', undefined, null],
      ['null', null, null],
      ['empty', '', null],
      ['negative', '-5', null],
      ['fraction', '1.5', null],
      ['number with unit', '10s', null],
      ['hex', '0x10', null],
      ['words', 'tomorrow', null],
      ['ISO date (not an HTTP-date)', '2024-06-01T12:01:00Z', null],
      ['wrong zone', 'Sat, 01 Jun 2024 12:01:30 PST', null],
      ['impossible calendar date', 'Fri, 30 Feb 2024 12:00:00 GMT', null],
      ['hour 24', 'Sat, 01 Jun 2024 24:00:00 GMT', null],
      ['unknown month', 'Sat, 01 Foo 2024 12:00:00 GMT', null],
      ['absurdly long number', '9'.repeat(40), null],
      ['empty array', [], null],
    ])('%s', (_name, header, expected) => {
      expect(parseRetryAfter(header, now)).toBe(expected);
    });

    it('reads an RFC 850 two-digit year more than 50 years ahead as the past century', () => {
      const in2024 = new Date('2024-06-01T00:00:00Z');
      // 99 → 2099 would be 75 years ahead → 1999, far in the past
      expect(parseRetryAfter('Tuesday, 01-Jun-99 00:00:00 GMT', in2024)).toBeLessThan(0);
      // 70 → 2070, 46 years ahead: kept
      expect(parseRetryAfter('Sunday, 01-Jun-70 00:00:00 GMT', in2024)).toBeGreaterThan(40 * 365 * 86400);
    });
  });

  describe('applyRetryAfter', () => {
    const now = new Date('2024-06-01T12:00:00.000Z');

    it('honours only 429 and 503', () => {
      expect([...RETRY_AFTER_STATUSES].sort()).toEqual([429, 503]);
    });

    it.each<[string, number | undefined, string | undefined, number]>([
      // scheduledDelay is 60 throughout
      ['429 within the window', 429, '90', 90],
      ['503 within the window', 503, '90', 90],
      ['429 at the upper bound', 429, '120', 120],
      ['429 above the window → 2× scheduled', 429, '3600', 120],
      ['429 below the window → scheduled', 429, '5', 60],
      ['429 with HTTP-date', 429, 'Sat, 01 Jun 2024 12:01:40 GMT', 100],
      ['503 with HTTP-date in the past → scheduled', 503, 'Sat, 01 Jun 2024 11:00:00 GMT', 60],
      ['429 with garbage → scheduled', 429, 'soon', 60],
      ['429 without header → scheduled', 429, undefined, 60],
      ['500 is not honoured', 500, '90', 60],
      ['502 is not honoured', 502, '90', 60],
      ['200 is not honoured', 200, '90', 60],
      ['network error (no status)', undefined, '90', 60],
    ])('%s', (_name, status, header, expected) => {
      expect(applyRetryAfter(60, header, now, status)).toBe(expected);
    });
  });
});
