import type { CaravanConfig } from '@caravan/config';

/**
 * What a service prints when a dependency is missing at start-up: which one, where it looked
 * (never the credentials), and what to run. The commands are the repository's own scripts.
 */
export function dependencyGuidance(dependency: 'postgres' | 'kafka', config: CaravanConfig, reason: string): string {
  if (dependency === 'postgres') {
    return (
      `cannot reach Postgres at ${describeDatabase(config.database.url)} (CARAVAN_DATABASE_URL): ${reason}. ` +
      'On a development machine run ./scripts/infra.sh up postgres (or ./scripts/up.sh, which starts everything); ' +
      'otherwise check CARAVAN_DATABASE_URL and that the server accepts connections.'
    );
  }
  return (
    `cannot reach Kafka at ${config.kafka.brokers.join(',')} (CARAVAN_KAFKA_BROKERS): ${reason}. ` +
    'On a development machine run ./scripts/infra.sh up kafka (or ./scripts/up.sh, which starts everything); ' +
    'otherwise check CARAVAN_KAFKA_BROKERS. The service keeps retrying and reports not ready until then.'
  );
}

/** host:port/database of a connection URL, without its user or password. */
function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'an unparseable URL';
  }
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);
/** Postgres SQLSTATEs that mean "this server or database is not there for us". */
const POSTGRES_UNAVAILABLE = new Set(['3D000', '28P01', '28000', '57P03']);

/**
 * Whether a start-up failure is Postgres being unreachable: the only dependency a service
 * needs before it can listen (Kafka is retried in the background and shows in /readyz).
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { code, name, cause } = current as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof name === 'string' && name.startsWith('KafkaJS')) return false;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || POSTGRES_UNAVAILABLE.has(code))) return true;
    current = cause;
  }
  return false;
}
