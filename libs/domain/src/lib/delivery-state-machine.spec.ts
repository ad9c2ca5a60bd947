import {
  assertTransition,
  canForceResend,
  canManuallyRetry,
  CLAIMABLE_STATUSES,
  DELIVERY_DESCRIPTIONS,
  type DeliveryOutcome,
  type DeliveryTransitionInput,
  IllegalTransitionError,
  initialDelivery,
  initialStatus,
  isLegalTransition,
  nextDeliveryState,
  outcomeFromHttpStatus,
} from './delivery-state-machine';
import { RetryStrategyType } from './project-config';
import { DeliveryStatus, EndpointStatus } from './statuses';

const { Scheduled, Processing, Success, Retry, Failure, Discarded } = DeliveryStatus;
const ALL = Object.values(DeliveryStatus);
const NOW = new Date('2024-06-01T12:00:00.000Z');
const plusSeconds = (s: number): Date => new Date(NOW.getTime() + s * 1000);

function input(overrides: Partial<DeliveryTransitionInput> & { outcome: DeliveryOutcome }): DeliveryTransitionInput {
  return {
    status: Processing,
    attempts: 1,
    retryLimit: 3,
    strategy: { type: RetryStrategyType.Linear, duration: 10 },
    now: NOW,
    random: () => 0,
    ...overrides,
  };
}

describe('delivery state machine', () => {
  describe('legal transitions (docs/architecture.md, every row)', () => {
    const legal: Array<[DeliveryStatus, DeliveryStatus, string]> = [
      [Scheduled, Processing, 'claimed by a sender'],
      [Retry, Processing, 'claimed by a sender'],
      [Processing, Success, '2xx'],
      [Processing, Retry, 'failure, attempts < limit'],
      [Processing, Failure, 'attempts = limit, or 410'],
      [Processing, Discarded, 'endpoint became inactive / deleted'],
      [Processing, Processing, 'lease expired, re-claimed'],
      [Failure, Scheduled, 'manual retry'],
      [Discarded, Scheduled, 'manual retry'],
      [Success, Scheduled, 'force resend'],
    ];

    it.each(legal)('%s → %s (%s)', (from, to) => {
      expect(isLegalTransition(from, to)).toBe(true);
      expect(() => assertTransition(from, to)).not.toThrow();
    });

    const legalKeys = new Set(legal.map(([from, to]) => `${from}→${to}`));
    const illegal = ALL.flatMap((from) => ALL.map((to) => [from, to] as const)).filter(
      ([from, to]) => !legalKeys.has(`${from}→${to}`),
    );

    it('enumerates 36 pairs: 10 legal, 26 illegal', () => {
      expect(illegal).toHaveLength(26);
    });

    it.each(illegal)('%s → %s is illegal', (from, to) => {
      expect(isLegalTransition(from, to)).toBe(false);
      expect(() => assertTransition(from, to)).toThrow(IllegalTransitionError);
      try {
        assertTransition(from, to);
      } catch (error) {
        expect(error).toMatchObject({
          from,
          to,
          message: `Illegal delivery transition ${from} → ${to}`,
        });
      }
    });

    it('rejects unknown statuses', () => {
      expect(isLegalTransition('Bogus' as DeliveryStatus, Scheduled)).toBe(false);
      expect(isLegalTransition(Scheduled, 'Bogus' as DeliveryStatus)).toBe(false);
    });

    it('claims only Scheduled and Retry rows', () => {
      expect([...CLAIMABLE_STATUSES]).toEqual([Scheduled, Retry]);
    });
  });

  describe('initial status', () => {
    it.each([
      [EndpointStatus.Active, Scheduled, DELIVERY_DESCRIPTIONS.scheduled],
      [EndpointStatus.Pending, Scheduled, DELIVERY_DESCRIPTIONS.scheduled],
      [EndpointStatus.Paused, Discarded, DELIVERY_DESCRIPTIONS.endpointPaused],
      [EndpointStatus.Inactive, Discarded, DELIVERY_DESCRIPTIONS.endpointInactive],
      ['deleted' as EndpointStatus, Discarded, DELIVERY_DESCRIPTIONS.endpointInactive],
    ])('endpoint %s → %s', (endpointStatus, status, description) => {
      expect(initialStatus(endpointStatus)).toBe(status);
      expect(initialDelivery(endpointStatus)).toEqual({ status, description });
    });
  });

  describe('manual actions', () => {
    it.each(ALL)('%s', (status) => {
      expect(canManuallyRetry(status)).toBe(status === Failure || status === Discarded);
      expect(canForceResend(status)).toBe(status === Success);
      // whatever the API allows must be a legal transition to Scheduled
      if (canManuallyRetry(status) || canForceResend(status)) expect(isLegalTransition(status, Scheduled)).toBe(true);
    });
  });

  describe('outcomeFromHttpStatus', () => {
    it.each<[number, DeliveryOutcome['kind']]>([
      [200, 'success'],
      [201, 'success'],
      [204, 'success'],
      [299, 'success'],
      [199, 'failure'],
      [300, 'failure'],
      [301, 'failure'],
      [400, 'failure'],
      [404, 'failure'],
      [409, 'failure'],
      [410, 'endpoint-gone'],
      [429, 'failure'],
      [500, 'failure'],
      [503, 'failure'],
    ])('%i → %s', (status, kind) => {
      expect(outcomeFromHttpStatus(status).kind).toBe(kind);
    });

    it('carries status and Retry-After on failures', () => {
      expect(outcomeFromHttpStatus(429, '30')).toEqual({
        kind: 'failure',
        httpStatus: 429,
        retryAfter: '30',
      });
      expect(outcomeFromHttpStatus(500)).toEqual({
        kind: 'failure',
        httpStatus: 500,
        retryAfter: null,
      });
      expect(outcomeFromHttpStatus(202)).toEqual({
        kind: 'success',
        httpStatus: 202,
      });
    });
  });

  describe('nextDeliveryState', () => {
    it('2xx → Success', () => {
      expect(nextDeliveryState(input({ outcome: { kind: 'success' }, attempts: 3 }))).toEqual({
        status: Success,
        description: 'Delivered',
        disableEndpoint: false,
        nextSendTime: null,
        delaySeconds: null,
      });
    });

    it.each([
      // attempts made (first included), retry limit → Retry while attempts < limit
      [1, 3, Retry],
      [2, 3, Retry],
      [3, 3, Failure],
      [4, 3, Failure],
      [1, 1, Failure],
      [9, 10, Retry],
      [10, 10, Failure],
    ])('failure after attempt %i of limit %i → %s', (attempts, retryLimit, expected) => {
      const result = nextDeliveryState(
        input({
          attempts,
          retryLimit,
          outcome: { kind: 'failure', httpStatus: 500 },
        }),
      );
      expect(result.status).toBe(expected);
      if (expected === Failure) {
        expect(result).toEqual({
          status: Failure,
          description: 'Retry limit exceeded',
          disableEndpoint: false,
          nextSendTime: null,
          delaySeconds: null,
        });
      } else {
        expect(result.nextSendTime).toEqual(plusSeconds(10));
        expect(result.description).toBe(`Attempt ${attempts} of ${retryLimit} failed (HTTP 500)`);
      }
    });

    it('a network error (no status) retries too', () => {
      const result = nextDeliveryState(input({ outcome: { kind: 'failure' } }));
      expect(result).toEqual({
        status: Retry,
        description: 'Attempt 1 of 3 failed (network error)',
        disableEndpoint: false,
        nextSendTime: plusSeconds(10),
        delaySeconds: 10,
      });
    });

    it('schedules exponential back-off from the attempts made', () => {
      const strategy = {
        type: RetryStrategyType.Exponential,
        duration: 10,
        maxRetrySeconds: 25,
      };
      const delays = [1, 2, 3, 4].map(
        (attempts) =>
          nextDeliveryState(
            input({
              attempts,
              retryLimit: 10,
              strategy,
              outcome: { kind: 'failure', httpStatus: 502 },
            }),
          ).delaySeconds,
      );
      expect(delays).toEqual([10, 20, 25, 25]);
      const jittered = nextDeliveryState(
        input({
          attempts: 2,
          retryLimit: 10,
          strategy,
          random: () => 0.5,
          outcome: { kind: 'failure', httpStatus: 502 },
        }),
      );
      expect(jittered.delaySeconds).toBeCloseTo(18, 10);
      expect(jittered.nextSendTime).toEqual(plusSeconds(18));
    });

    it('defaults the exponential ceiling to an hour', () => {
      const strategy = { type: RetryStrategyType.Exponential, duration: 60 };
      const result = nextDeliveryState(
        input({
          attempts: 20,
          retryLimit: 30,
          strategy,
          outcome: { kind: 'failure' },
        }),
      );
      expect(result.delaySeconds).toBe(3600);
    });

    it.each<[string, number | undefined, string | undefined, number]>([
      ['429 honours Retry-After within [d, 2d]', 429, '15', 15],
      ['503 honours Retry-After, clamped to 2d', 503, '600', 20],
      ['429 cannot shorten the schedule', 429, '1', 10],
      ['500 ignores Retry-After', 500, '15', 10],
      ['garbage Retry-After', 429, 'later', 10],
    ])('%s', (_name, httpStatus, retryAfter, expected) => {
      const result = nextDeliveryState(input({ outcome: { kind: 'failure', httpStatus, retryAfter } }));
      expect(result.status).toBe(Retry);
      expect(result.delaySeconds).toBe(expected);
      expect(result.nextSendTime).toEqual(plusSeconds(expected));
    });

    it('410 Gone → Failure and disables the endpoint, even with attempts left', () => {
      expect(
        nextDeliveryState(
          input({
            attempts: 1,
            retryLimit: 10,
            outcome: { kind: 'endpoint-gone' },
          }),
        ),
      ).toEqual({
        status: Failure,
        description: DELIVERY_DESCRIPTIONS.endpointGone,
        disableEndpoint: true,
        nextSendTime: null,
        delaySeconds: null,
      });
    });

    it('endpoint became inactive → Discarded without an attempt', () => {
      expect(nextDeliveryState(input({ attempts: 0, outcome: { kind: 'endpoint-inactive' } }))).toEqual({
        status: Discarded,
        description: 'Endpoint is not active',
        disableEndpoint: false,
        nextSendTime: null,
        delaySeconds: null,
      });
    });

    const outcomes: DeliveryOutcome[] = [
      { kind: 'success' },
      { kind: 'failure', httpStatus: 500 },
      { kind: 'endpoint-gone' },
      { kind: 'endpoint-inactive' },
    ];
    const notProcessing = ALL.filter((s) => s !== Processing);

    it.each(notProcessing.flatMap((status) => outcomes.map((outcome) => [status, outcome.kind, outcome] as const)))(
      'refuses an outcome for a %s delivery (%s)',
      (status, _kind, outcome) => {
        expect(() => nextDeliveryState(input({ status, outcome }))).toThrow(IllegalTransitionError);
      },
    );

    it('refuses an outcome that exhausts the limit for a non-Processing delivery too', () => {
      expect(() =>
        nextDeliveryState(
          input({
            status: Retry,
            attempts: 3,
            retryLimit: 3,
            outcome: { kind: 'failure' },
          }),
        ),
      ).toThrow(IllegalTransitionError);
    });

    it.each([
      ['negative attempts', { attempts: -1 }],
      ['fractional attempts', { attempts: 1.5 }],
      ['zero attempts on failure', { attempts: 0 }],
      ['zero retry limit', { retryLimit: 0 }],
      ['fractional retry limit', { retryLimit: 2.5 }],
    ])('rejects %s', (_name, override) => {
      expect(() => nextDeliveryState(input({ outcome: { kind: 'failure' }, ...override }))).toThrow(RangeError);
    });

    it('rejects an unknown outcome kind', () => {
      expect(() =>
        nextDeliveryState(
          input({
            outcome: { kind: 'teleported' } as unknown as DeliveryOutcome,
          }),
        ),
      ).toThrow(RangeError);
    });
  });
});
