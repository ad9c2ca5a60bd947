import { DELIVERY_DESCRIPTIONS } from './delivery-state-machine';
import { HttpAttemptInput, HttpAttemptResult, metaEventStatusAfter, stateAfterHttpAttempt } from './http-attempt';
import { RetryStrategyType } from './project-config';
import { DeliveryStatus, MetaEventStatus } from './statuses';

const { Success, Retry, Failure } = DeliveryStatus;
const NOW = new Date('2024-06-01T12:00:00.000Z');
const plusSeconds = (s: number): Date => new Date(NOW.getTime() + s * 1000);

function attempt(result: HttpAttemptResult, overrides: Partial<HttpAttemptInput> = {}) {
  return stateAfterHttpAttempt({
    result,
    attempts: 1,
    retryLimit: 3,
    strategy: { type: RetryStrategyType.Linear, duration: 10 },
    goneDisablesTarget: true,
    now: NOW,
    random: () => 0,
    ...overrides,
  });
}

describe('stateAfterHttpAttempt', () => {
  describe('with attempts left', () => {
    it.each([200, 201, 204, 299])('%i → Success', (statusCode) => {
      expect(attempt({ statusCode })).toEqual({
        status: Success,
        description: DELIVERY_DESCRIPTIONS.success,
        disableEndpoint: false,
        nextSendTime: null,
        delaySeconds: null,
      });
    });

    it.each([100, 199, 300, 301, 304, 400, 401, 404, 409, 422, 500, 502, 504])(
      '%i → Retry after the strategy delay (redirects are not followed)',
      (statusCode) => {
        expect(attempt({ statusCode })).toEqual({
          status: Retry,
          description: `Attempt 1 of 3 failed (HTTP ${statusCode})`,
          disableEndpoint: false,
          nextSendTime: plusSeconds(10),
          delaySeconds: 10,
        });
      },
    );

    it('no answer (network error, timeout) → Retry, named a network error', () => {
      expect(attempt({ statusCode: null, error: 'ETIMEDOUT' })).toMatchObject({
        status: Retry,
        description: 'Attempt 1 of 3 failed (network error)',
        nextSendTime: plusSeconds(10),
      });
    });

    it.each([429, 503])('%i honours Retry-After within [delay, 2 × delay]', (statusCode) => {
      expect(attempt({ statusCode, retryAfter: '15' })).toMatchObject({
        status: Retry,
        nextSendTime: plusSeconds(15),
        delaySeconds: 15,
      });
      expect(attempt({ statusCode, retryAfter: '120' })).toMatchObject({ delaySeconds: 20 });
    });

    it('Retry-After on a status that does not carry one is ignored', () => {
      expect(attempt({ statusCode: 500, retryAfter: '15' })).toMatchObject({ delaySeconds: 10 });
    });

    it('410 Gone fails an endpoint at once and disables it', () => {
      expect(attempt({ statusCode: 410 })).toEqual({
        status: Failure,
        description: DELIVERY_DESCRIPTIONS.endpointGone,
        disableEndpoint: true,
        nextSendTime: null,
        delaySeconds: null,
      });
    });

    it('410 Gone from a target that cannot be disabled (a meta-event URL) is retried like any failure', () => {
      expect(attempt({ statusCode: 410 }, { goneDisablesTarget: false })).toEqual({
        status: Retry,
        description: 'Attempt 1 of 3 failed (HTTP 410)',
        disableEndpoint: false,
        nextSendTime: plusSeconds(10),
        delaySeconds: 10,
      });
    });

    it.each([
      [{ statusCode: null, refused: true, error: 'refused by the SSRF guard' }, 'refused by the SSRF guard'],
      [{ statusCode: null, refused: true, error: null }, 'refused'],
      [{ statusCode: 200, refused: true, error: 'refused' }, 'refused'],
    ])('a refused destination fails at once with its reason (%j)', (result, description) => {
      for (const goneDisablesTarget of [true, false]) {
        expect(attempt(result, { goneDisablesTarget })).toEqual({
          status: Failure,
          description,
          disableEndpoint: false,
          nextSendTime: null,
          delaySeconds: null,
        });
      }
    });
  });

  describe('on the last attempt', () => {
    const last = { attempts: 3, retryLimit: 3 };

    it.each([null, 300, 404, 429, 500, 503])('%s → Failure, retry limit exceeded', (statusCode) => {
      for (const goneDisablesTarget of [true, false]) {
        expect(attempt({ statusCode, retryAfter: '5' }, { ...last, goneDisablesTarget })).toEqual({
          status: Failure,
          description: DELIVERY_DESCRIPTIONS.retryLimitExceeded,
          disableEndpoint: false,
          nextSendTime: null,
          delaySeconds: null,
        });
      }
    });

    it('410 → Failure, disabling only a target that can be disabled', () => {
      expect(attempt({ statusCode: 410 }, last)).toMatchObject({ status: Failure, disableEndpoint: true });
      expect(attempt({ statusCode: 410 }, { ...last, goneDisablesTarget: false })).toMatchObject({
        status: Failure,
        description: DELIVERY_DESCRIPTIONS.retryLimitExceeded,
        disableEndpoint: false,
      });
    });

    it('2xx still → Success', () => {
      expect(attempt({ statusCode: 200 }, last)).toMatchObject({ status: Success });
    });
  });

  it('schedules exponential back-off from the attempts made', () => {
    const strategy = { type: RetryStrategyType.Exponential, duration: 10 };
    expect(attempt({ statusCode: 500 }, { attempts: 2, retryLimit: 5, strategy })).toMatchObject({
      status: Retry,
      delaySeconds: 20,
      nextSendTime: plusSeconds(20),
    });
  });

  it('rejects nonsensical counts like the state machine', () => {
    expect(() => attempt({ statusCode: 500 }, { attempts: 0 })).toThrow(RangeError);
    expect(() => attempt({ statusCode: 500 }, { retryLimit: 0 })).toThrow(RangeError);
  });
});

describe('metaEventStatusAfter', () => {
  it.each([
    [DeliveryStatus.Success, MetaEventStatus.Success],
    [DeliveryStatus.Retry, MetaEventStatus.Retry],
    [DeliveryStatus.Failure, MetaEventStatus.Failure],
    [DeliveryStatus.Discarded, MetaEventStatus.Failure],
    [DeliveryStatus.Scheduled, MetaEventStatus.Failure],
    [DeliveryStatus.Processing, MetaEventStatus.Failure],
  ])('%s → %s', (status, expected) => {
    expect(metaEventStatusAfter(status)).toBe(expected);
  });
});
