import { loadConfig } from '@caravan/config';
import { dependencyGuidance, isDatabaseUnreachable } from './boot-guidance';

describe('start-up guidance', () => {
  const config = loadConfig('api', {
    CARAVAN_DATABASE_URL: 'postgres://caravan:s3cret@db.internal:6543/caravan',
    CARAVAN_KAFKA_BROKERS: 'k1:9092,k2:9092',
  });

  it('names Postgres, where it looked (without the password) and what to run', () => {
    const text = dependencyGuidance('postgres', config, 'connect ECONNREFUSED 10.0.0.1:6543');
    expect(text).toBe(
      'cannot reach Postgres at db.internal:6543/caravan (CARAVAN_DATABASE_URL): connect ECONNREFUSED 10.0.0.1:6543. ' +
        'On a development machine run ./scripts/infra.sh up postgres (or ./scripts/up.sh, which starts everything); ' +
        'otherwise check CARAVAN_DATABASE_URL and that the server accepts connections.',
    );
    expect(text).not.toContain('s3cret');
  });

  it('names Kafka, its brokers and what to run', () => {
    const text = dependencyGuidance('kafka', config, 'Connection error');
    expect(text).toMatch(/^cannot reach Kafka at k1:9092,k2:9092 \(CARAVAN_KAFKA_BROKERS\): Connection error\. /);
    expect(text).toContain('./scripts/infra.sh up kafka');
  });

  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['an unknown host', Object.assign(new Error('getaddrinfo ENOTFOUND db'), { code: 'ENOTFOUND' })],
    ['a missing database', Object.assign(new Error('database "x" does not exist'), { code: '3D000' })],
    ['a wrapped refusal', new Error('boot failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) })],
  ])('recognises %s as Postgres unreachable', (_name, error) => {
    expect(isDatabaseUnreachable(error)).toBe(true);
  });

  it.each([
    ['a programming error', new TypeError('x is not a function')],
    [
      'a Kafka connection error',
      Object.assign(new Error('refused'), { name: 'KafkaJSConnectionError', code: 'ECONNREFUSED' }),
    ],
    ['a SQL error', Object.assign(new Error('syntax error'), { code: '42601' })],
    ['nothing', undefined],
  ])('does not take %s for Postgres unreachable', (_name, error) => {
    expect(isDatabaseUnreachable(error)).toBe(false);
  });
});
