import { readTracingSettings, TracingSettings } from './tracing-settings';
import { CaravanEnvironment, CONFIG_VARIABLES, DEFAULT_PORTS, ServiceName, VariableDefinition } from './caravan-config';

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** The validated configuration of one service. */
export interface CaravanConfig {
  service: ServiceName;
  http: { host: string; port: number };
  database: { url: string; poolSize: number };
  kafka: {
    brokers: string[];
    clientId: string;
    topics: { events: string; deliveries: string };
    partitions: number;
    replicationFactor: number;
    createTopics: boolean;
    /** The dispatcher's consumer-group timings (see CARAVAN_KAFKA_SESSION_TIMEOUT_MS…). */
    consumer: { sessionTimeoutMs: number; heartbeatIntervalMs: number; rebalanceTimeoutMs: number };
  };
  log: { level: CaravanEnvironment['CARAVAN_LOG_LEVEL']; format: CaravanEnvironment['CARAVAN_LOG_FORMAT'] };
  shutdownTimeoutMs: number;
  readinessTimeoutMs: number;
  /** V8's heap growing factor as a percentage over 1 (0: V8's own heuristic). */
  heapGrowingPercent: number;
  /** /metrics on every service: CARAVAN_METRICS_TOKEN and CARAVAN_METRICS_PROJECT_LABELS. */
  metrics: MetricsSettings;
  api: { adminApiKey?: string; publicUrl: string; rateLimits: { api: RequestLimit; ingest: RequestLimit } };
  dispatcher: DispatcherSettings;
  ingester: IngesterSettings;
  transform: TransformSettings;
  tracing: TracingSettings;
}

export interface MetricsSettings {
  token?: string;
  projectLabels: boolean;
}

/** Limits of tenant functions, in every service that runs them. */
export interface TransformSettings {
  workers: number;
  timeoutMs: number;
  memoryBytes: number;
}

/** Requests allowed per window (seconds); a limit of 0 means unlimited. */
export interface RequestLimit {
  limit: number;
  windowSeconds: number;
}

/** The ingester's settings; each is documented on its CARAVAN_INGESTER_* variable. */
export interface IngesterSettings {
  sourcesPollMs: number;
  prefetch: number;
  sqsWaitSeconds: number;
  sqsVisibilitySeconds: number;
  retryDelayMs: number;
  drainTimeoutMs: number;
  kafkaSessionTimeoutMs: number;
  brokerAllowCidrs: string[];
  maxConsumersPerProject: number;
}

/** Where endpoint failure notifications are mailed from; null when CARAVAN_SMTP_HOST is unset. */
export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  username?: string;
  password?: string;
  from: string;
}

/** The dispatcher's settings; each is documented on its CARAVAN_* variable. */
export interface DispatcherSettings {
  ssrfAllowCidrs: string[];
  leaseSeconds: number;
  schedulerIntervalMs: number;
  doorbellGraceSeconds: number;
  eventGraceMs: number;
  batchSize: number;
  partitionsConcurrency: number;
  maxInFlight: number;
  maxResponseBytes: number;
  routerGroupId: string;
  senderGroupId: string;
  smtp: SmtpSettings | null;
  retention: { intervalSeconds: number; batchSize: number };
  breaker: {
    sampleSeconds: number;
    failureThresholdPercent: number;
    minimumRequests: number;
    errorTimeoutSeconds: number;
    disableAfterTrips: number;
  };
}

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];

/** Why `raw` is not a valid value of `definition`, or null when it is. */
function problemWith(name: string, definition: VariableDefinition, raw: string): string | null {
  switch (definition.kind) {
    case 'integer': {
      const value = Number(raw);
      const { min, max } = definition;
      const range = max === undefined ? `at least ${min}` : `between ${min} and ${max}`;
      return Number.isInteger(value) && value >= min && (max === undefined || value <= max)
        ? null
        : `${name} must be an integer ${range}`;
    }
    case 'boolean':
      return null;
    case 'enum':
      return definition.values.includes(raw) ? null : `${name} must be one of: ${definition.values.join(', ')}`;
    case 'string':
      if (definition.minLength !== undefined && raw.length < definition.minLength) {
        return `${name} must be at least ${definition.minLength} characters`;
      }
      return definition.pattern && !definition.pattern.test(raw) ? `${name} must be ${definition.format}` : null;
  }
}

function parseValue(definition: VariableDefinition, raw: string): string | number | boolean {
  switch (definition.kind) {
    case 'integer':
      return Number(raw);
    case 'boolean':
      return TRUE_WORDS.includes(raw.toLowerCase());
    default:
      return raw;
  }
}

/**
 * Validates every variable of CONFIG_VARIABLES in `env` and applies the defaults. Empty
 * strings count as unset, so `FOO=` in a compose file falls back to the default rather than
 * failing validation. Every problem is reported at once.
 */
export function parseEnvironment(env: NodeJS.ProcessEnv): CaravanEnvironment {
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(CONFIG_VARIABLES) as [string, VariableDefinition][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      parsed[name] = definition.default;
      continue;
    }
    const problem = problemWith(name, definition, raw);
    if (problem) problems.push(problem);
    else parsed[name] = parseValue(definition, raw);
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return parsed as CaravanEnvironment;
}

/** Reads and validates the environment of one service (see parseEnvironment). */
export function loadConfig(service: ServiceName, env: NodeJS.ProcessEnv = process.env): CaravanConfig {
  const tracing = readTracingSettings(service, env);
  let parsed: CaravanEnvironment;
  try {
    parsed = parseEnvironment(env);
  } catch (error) {
    if (error instanceof ConfigValidationError)
      throw new ConfigValidationError([...error.problems, ...tracing.problems]);
    throw error;
  }
  if (tracing.problems.length > 0) throw new ConfigValidationError(tracing.problems);
  return {
    service,
    http: { host: parsed.CARAVAN_HTTP_HOST, port: parsed.CARAVAN_HTTP_PORT ?? DEFAULT_PORTS[service] },
    database: { url: parsed.CARAVAN_DATABASE_URL, poolSize: parsed.CARAVAN_DATABASE_POOL_SIZE },
    kafka: {
      brokers: parsed.CARAVAN_KAFKA_BROKERS.split(','),
      clientId: `${parsed.CARAVAN_KAFKA_CLIENT_ID}-${service}`,
      topics: {
        events: parsed.CARAVAN_KAFKA_EVENTS_TOPIC,
        deliveries: parsed.CARAVAN_KAFKA_DELIVERIES_TOPIC,
      },
      partitions: parsed.CARAVAN_KAFKA_PARTITIONS,
      replicationFactor: parsed.CARAVAN_KAFKA_REPLICATION_FACTOR,
      createTopics: parsed.CARAVAN_KAFKA_CREATE_TOPICS,
      consumer: {
        sessionTimeoutMs: parsed.CARAVAN_KAFKA_SESSION_TIMEOUT_MS,
        heartbeatIntervalMs: Math.min(
          parsed.CARAVAN_KAFKA_HEARTBEAT_INTERVAL_MS,
          Math.floor(parsed.CARAVAN_KAFKA_SESSION_TIMEOUT_MS / 3),
        ),
        rebalanceTimeoutMs: parsed.CARAVAN_KAFKA_REBALANCE_TIMEOUT_MS,
      },
    },
    log: { level: parsed.CARAVAN_LOG_LEVEL, format: parsed.CARAVAN_LOG_FORMAT },
    shutdownTimeoutMs: parsed.CARAVAN_SHUTDOWN_TIMEOUT_MS,
    readinessTimeoutMs: parsed.CARAVAN_READINESS_TIMEOUT_MS,
    heapGrowingPercent: parsed.CARAVAN_HEAP_GROWING_PERCENT,
    metrics: { token: parsed.CARAVAN_METRICS_TOKEN, projectLabels: parsed.CARAVAN_METRICS_PROJECT_LABELS },
    api: {
      adminApiKey: parsed.CARAVAN_ADMIN_API_KEY,
      publicUrl: parsed.CARAVAN_PUBLIC_URL.replace(/\/+$/, ''),
      rateLimits: {
        api: { limit: parsed.CARAVAN_API_RATE_LIMIT, windowSeconds: parsed.CARAVAN_API_RATE_LIMIT_WINDOW_SECONDS },
        ingest: {
          limit: parsed.CARAVAN_INGEST_RATE_LIMIT,
          windowSeconds: parsed.CARAVAN_INGEST_RATE_LIMIT_WINDOW_SECONDS,
        },
      },
    },
    dispatcher: {
      ssrfAllowCidrs: cidrList(parsed.CARAVAN_SSRF_ALLOW_CIDRS),
      leaseSeconds: parsed.CARAVAN_DISPATCHER_LEASE_SECONDS,
      schedulerIntervalMs: parsed.CARAVAN_DISPATCHER_SCHEDULER_INTERVAL_MS,
      doorbellGraceSeconds: parsed.CARAVAN_DISPATCHER_DOORBELL_GRACE_SECONDS,
      eventGraceMs: parsed.CARAVAN_DISPATCHER_EVENT_GRACE_MS,
      batchSize: parsed.CARAVAN_DISPATCHER_BATCH_SIZE,
      partitionsConcurrency: parsed.CARAVAN_DISPATCHER_PARTITIONS_CONCURRENCY,
      maxInFlight: parsed.CARAVAN_DISPATCHER_MAX_IN_FLIGHT,
      maxResponseBytes: parsed.CARAVAN_DISPATCHER_MAX_RESPONSE_BYTES,
      routerGroupId: parsed.CARAVAN_DISPATCHER_ROUTER_GROUP_ID ?? `${parsed.CARAVAN_KAFKA_EVENTS_TOPIC}.router`,
      senderGroupId: parsed.CARAVAN_DISPATCHER_SENDER_GROUP_ID ?? `${parsed.CARAVAN_KAFKA_DELIVERIES_TOPIC}.sender`,
      smtp: parsed.CARAVAN_SMTP_HOST
        ? {
            host: parsed.CARAVAN_SMTP_HOST,
            port: parsed.CARAVAN_SMTP_PORT,
            secure: parsed.CARAVAN_SMTP_SECURE,
            username: parsed.CARAVAN_SMTP_USERNAME,
            password: parsed.CARAVAN_SMTP_PASSWORD,
            from: parsed.CARAVAN_SMTP_FROM,
          }
        : null,
      retention: {
        intervalSeconds: parsed.CARAVAN_RETENTION_INTERVAL_SECONDS,
        batchSize: parsed.CARAVAN_RETENTION_BATCH_SIZE,
      },
      breaker: {
        sampleSeconds: parsed.CARAVAN_BREAKER_SAMPLE_SECONDS,
        failureThresholdPercent: parsed.CARAVAN_BREAKER_FAILURE_THRESHOLD,
        minimumRequests: parsed.CARAVAN_BREAKER_MIN_REQUESTS,
        errorTimeoutSeconds: parsed.CARAVAN_BREAKER_ERROR_TIMEOUT_SECONDS,
        disableAfterTrips: parsed.CARAVAN_BREAKER_DISABLE_AFTER_TRIPS,
      },
    },
    ingester: {
      sourcesPollMs: parsed.CARAVAN_INGESTER_SOURCES_POLL_MS,
      prefetch: parsed.CARAVAN_INGESTER_PREFETCH,
      sqsWaitSeconds: parsed.CARAVAN_INGESTER_SQS_WAIT_SECONDS,
      sqsVisibilitySeconds: parsed.CARAVAN_INGESTER_SQS_VISIBILITY_SECONDS,
      retryDelayMs: parsed.CARAVAN_INGESTER_RETRY_DELAY_MS,
      drainTimeoutMs: parsed.CARAVAN_INGESTER_DRAIN_TIMEOUT_MS,
      kafkaSessionTimeoutMs: parsed.CARAVAN_INGESTER_KAFKA_SESSION_TIMEOUT_MS,
      brokerAllowCidrs: cidrList(parsed.CARAVAN_INGESTER_BROKER_ALLOW_CIDRS),
      maxConsumersPerProject: parsed.CARAVAN_INGESTER_MAX_CONSUMERS_PER_PROJECT,
    },
    transform: {
      workers: parsed.CARAVAN_TRANSFORM_WORKERS,
      timeoutMs: parsed.CARAVAN_TRANSFORM_TIMEOUT_MS,
      memoryBytes: parsed.CARAVAN_TRANSFORM_MEMORY_MB * 1024 * 1024,
    },
    tracing: tracing.settings,
  };
}

function cidrList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((cidr) => cidr.trim())
    .filter((cidr) => cidr.length > 0);
}
