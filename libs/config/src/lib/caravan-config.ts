/**
 * Every environment variable Caravan reads, written once: its type, default, validation, the
 * services that read it, whether it is a secret, and the operator's description. `loadConfig`
 * validates from these definitions, and `npm run docs:config` writes the tables of
 * docs/operations.md and helm/caravan/README.md from them (test/ops/config-reference.spec.ts
 * fails when those tables are not current).
 */

export type ServiceName = 'api' | 'ingester' | 'dispatcher';

export const SERVICE_NAMES: readonly ServiceName[] = ['api', 'ingester', 'dispatcher'];

export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = {
  api: 5005,
  ingester: 5006,
  dispatcher: 5007,
};

/** What every definition says besides its type. */
interface VariableInfo {
  /** What an operator needs to know, in Markdown (one line: it becomes a table cell). */
  description: string;
  /** The services that read the variable; setting it on the others is harmless. */
  usedBy: 'all' | readonly ServiceName[];
  /** Holds a credential: keep it in a secret store, never in a ConfigMap or a log. */
  secret?: boolean;
  /** The Helm value the chart renders the variable from (none: set it with `env`/`extraEnv`). */
  helmValue?: string;
  /** A secret the chart reads from an existing Secret named by this value (`{ name, key }`). */
  helmSecretRef?: string;
  /** How the docs show a missing default (Markdown), when "unset" says too little. */
  unsetMeans?: string;
}

export interface IntegerVariable<D extends number | undefined = number | undefined> extends VariableInfo {
  kind: 'integer';
  default: D;
  min: number;
  max?: number;
}

export interface BooleanVariable extends VariableInfo {
  kind: 'boolean';
  default: boolean;
}

export interface StringVariable<D extends string | undefined = string | undefined> extends VariableInfo {
  kind: 'string';
  default: D;
  minLength?: number;
  /** The value must match; `format` says how in an error message and in the docs. */
  pattern?: RegExp;
  format?: string;
}

export interface EnumVariable<E extends string = string> extends VariableInfo {
  kind: 'enum';
  values: readonly E[];
  default: E;
}

export type VariableDefinition = IntegerVariable | BooleanVariable | StringVariable | EnumVariable;

const integer = <const D extends number | undefined>(d: Omit<IntegerVariable<D>, 'kind'>) =>
  ({ kind: 'integer', ...d }) as IntegerVariable<D>;
const boolean = (d: Omit<BooleanVariable, 'kind'>): BooleanVariable => ({ kind: 'boolean', ...d });
const string = <const D extends string | undefined>(d: Omit<StringVariable<D>, 'kind'>) =>
  ({ kind: 'string', ...d }) as StringVariable<D>;
const oneOf = <const E extends string>(d: Omit<EnumVariable<E>, 'kind'>) => ({ kind: 'enum', ...d }) as EnumVariable<E>;

const CIDR_LIST = /^\s*([0-9a-fA-F:.]+\/\d{1,3})(\s*,\s*[0-9a-fA-F:.]+\/\d{1,3})*\s*$/;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;

export const CONFIG_VARIABLES = {
  CARAVAN_HTTP_HOST: string({
    default: '0.0.0.0',
    usedBy: 'all',
    description: 'Address the HTTP server (API, health, metrics) listens on.',
  }),
  CARAVAN_HTTP_PORT: integer({
    default: undefined,
    min: 0,
    max: 65535,
    usedBy: 'all',
    helmValue: '<service>.port',
    unsetMeans: '*api 5005, ingester 5006, dispatcher 5007*',
    description: 'Port the HTTP server listens on. The images set it per service.',
  }),
  CARAVAN_DATABASE_URL: string({
    default: 'postgres://postgres@127.0.0.1:5432/caravan',
    pattern: /^postgres(ql)?:\/\//,
    format: 'a postgres:// connection URL',
    usedBy: 'all',
    secret: true,
    helmValue: 'secrets.databaseUrl',
    description:
      'Postgres connection URL (`postgres://` or `postgresql://`); it holds the password. Also used by the migration job.',
  }),
  CARAVAN_DATABASE_POOL_SIZE: integer({
    default: 20,
    min: 1,
    max: 500,
    usedBy: 'all',
    helmValue: 'database.poolSize',
    description: 'Maximum Postgres connections **per process**. See [Postgres connections](#postgres-connections).',
  }),
  CARAVAN_KAFKA_BROKERS: string({
    default: '127.0.0.1:9092',
    pattern: /^[^\s,]+:\d+(,[^\s,]+:\d+)*$/,
    format: 'a comma-separated list of host:port',
    usedBy: 'all',
    helmValue: 'kafka.brokers',
    description: 'Comma-separated `host:port` list of Kafka bootstrap brokers.',
  }),
  CARAVAN_KAFKA_CLIENT_ID: string({
    default: 'caravan',
    minLength: 1,
    usedBy: 'all',
    helmValue: 'kafka.clientId',
    description: 'Kafka client id (shows up in broker logs and quotas); each service appends `-<service>`.',
  }),
  CARAVAN_KAFKA_EVENTS_TOPIC: string({
    default: 'caravan.events',
    minLength: 1,
    usedBy: 'all',
    helmValue: 'kafka.topics.events',
    description: 'Topic of event doorbells (api/ingester produce, dispatcher router consumes).',
  }),
  CARAVAN_KAFKA_DELIVERIES_TOPIC: string({
    default: 'caravan.deliveries',
    minLength: 1,
    usedBy: 'all',
    helmValue: 'kafka.topics.deliveries',
    description:
      'Topic of delivery doorbells, keyed by endpoint id (dispatcher router and scheduler produce, sender consumes).',
  }),
  CARAVAN_KAFKA_PARTITIONS: integer({
    default: 12,
    min: 1,
    max: 1000,
    usedBy: 'all',
    helmValue: 'kafka.partitions',
    description:
      'Partitions of the topics Caravan creates: the ceiling on useful dispatcher replicas. Only applies when a topic is created.',
  }),
  CARAVAN_KAFKA_REPLICATION_FACTOR: integer({
    default: 1,
    min: 1,
    max: 5,
    usedBy: 'all',
    helmValue: 'kafka.replicationFactor',
    description: 'Replication factor of the topics Caravan creates. Use 3 on a production cluster.',
  }),
  CARAVAN_KAFKA_SESSION_TIMEOUT_MS: integer({
    default: 6_000,
    min: 1_000,
    max: 1_800_000,
    usedBy: ['dispatcher'],
    description:
      "Session timeout of the dispatcher's router and sender consumers: how long the group waits for a member that died before its partitions move (the broker allows 6 s–30 min by default). Delivery resumes this long after a dispatcher is killed.",
  }),
  CARAVAN_KAFKA_HEARTBEAT_INTERVAL_MS: integer({
    default: 1_000,
    min: 100,
    max: 600_000,
    usedBy: ['dispatcher'],
    description:
      'How often those consumers heartbeat (and a batch checks for a rebalance); capped at a third of the session timeout.',
  }),
  CARAVAN_KAFKA_REBALANCE_TIMEOUT_MS: integer({
    default: 10_000,
    min: 1_000,
    max: 1_800_000,
    usedBy: ['dispatcher'],
    description:
      'How long a rebalance waits for live members to re-join; a batch stops at its next chunk of 100 doorbells once a rebalance starts, well within it.',
  }),
  CARAVAN_KAFKA_CREATE_TOPICS: boolean({
    default: true,
    usedBy: 'all',
    helmValue: 'kafka.createTopics',
    description:
      'Whether services create missing topics at boot. Turn off when topics are managed outside Caravan (then create both topics before the first start).',
  }),
  CARAVAN_LOG_LEVEL: oneOf({
    values: LOG_LEVELS,
    default: 'log',
    usedBy: 'all',
    helmValue: 'config.log.level',
    description: "The least severe level logged: `log` is pino's `info`, `verbose` its `trace`.",
  }),
  CARAVAN_LOG_FORMAT: oneOf({
    values: ['auto', 'json', 'pretty'],
    default: 'auto',
    usedBy: 'all',
    helmValue: 'config.log.format',
    description:
      '`json` (one object per line, for log shippers), `pretty` (human-readable) or `auto`: `pretty` when stdout is a terminal, `json` otherwise (containers, pipes). See [Logs](#logs).',
  }),
  CARAVAN_SHUTDOWN_TIMEOUT_MS: integer({
    default: 25_000,
    min: 0,
    usedBy: 'all',
    helmValue: 'config.shutdownTimeoutMs',
    description:
      "How long a service may take after SIGTERM to stop consuming, finish in-flight work and commit offsets. Keep the orchestrator's grace period longer (compose `stop_grace_period: 35s`, the chart derives `terminationGracePeriodSeconds`).",
  }),
  CARAVAN_READINESS_TIMEOUT_MS: integer({
    default: 2_000,
    min: 100,
    usedBy: 'all',
    helmValue: 'config.readinessTimeoutMs',
    description: 'Timeout of each `/readyz` check (Postgres, Kafka).',
  }),
  CARAVAN_HEAP_GROWING_PERCENT: integer({
    default: 100,
    min: 0,
    max: 400,
    usedBy: 'all',
    description:
      "How far V8 lets the JavaScript heap grow past what survived its last full collection before collecting again: `100` means to twice that. V8's own heuristic (`0`) grows it up to 4×: under load a service then sits at 350–400 MB resident. At `100` it peaks near 270 MB for about 5 % more CPU; `30` keeps it near 225 MB for 15–30 % more (docs/architecture.md, Performance).",
  }),
  CARAVAN_METRICS_TOKEN: string({
    default: undefined,
    minLength: 16,
    usedBy: 'all',
    secret: true,
    helmSecretRef: 'metrics.tokenSecret',
    description:
      'When set, `GET /metrics` answers only `Authorization: Bearer <token>`, else 401. Unset, `/metrics` is open: keep the port off public networks.',
  }),
  CARAVAN_METRICS_PROJECT_LABELS: boolean({
    default: false,
    usedBy: 'all',
    description:
      "Whether `caravan_deliveries_total` names each project in its `project` label. Off, the label is empty (one series per status), so `/metrics` lists no project ids; on, per-project success rates and the endpoint-health dashboard's per-project panels work.",
  }),
  CARAVAN_ADMIN_API_KEY: string({
    default: undefined,
    minLength: 32,
    usedBy: ['api'],
    secret: true,
    helmValue: 'secrets.adminApiKey',
    description:
      'Instance admin key: may create, read, update and delete projects. Unset = no admin routes (projects are then managed with their own keys only).',
  }),
  CARAVAN_PUBLIC_URL: string({
    default: 'http://127.0.0.1:5005',
    pattern: /^https?:\/\/[^\s]+$/,
    format: 'an http(s) URL',
    usedBy: ['api'],
    helmValue: 'config.publicUrl',
    description: "Base URL the api is reachable at from outside; used in http sources' ingest `url`.",
  }),
  CARAVAN_API_RATE_LIMIT: integer({
    default: 0,
    min: 0,
    max: 10_000_000,
    usedBy: ['api'],
    description:
      "Requests per project per window on the REST API's project routes (`/api/v1/projects/{id}/…`); 0 = unlimited. Counted in Postgres (`request_counters`, fixed windows aligned on the epoch), so every api replica shares one budget: N replicas together let exactly this many through. Past it: 429 with `Retry-After`. Never applies to `/healthz`, `/readyz`, `/metrics`.",
  }),
  CARAVAN_API_RATE_LIMIT_WINDOW_SECONDS: integer({
    default: 60,
    min: 1,
    max: 86_400,
    usedBy: ['api'],
    description: 'The window of `CARAVAN_API_RATE_LIMIT`.',
  }),
  CARAVAN_INGEST_RATE_LIMIT: integer({
    default: 0,
    min: 0,
    max: 10_000_000,
    usedBy: ['api'],
    description:
      'Requests per http source per window on `/ingest/{mask_id}`, shared by every replica like the API limit; 0 = unlimited. Counted before the body is read.',
  }),
  CARAVAN_INGEST_RATE_LIMIT_WINDOW_SECONDS: integer({
    default: 60,
    min: 1,
    max: 86_400,
    usedBy: ['api'],
    description: 'The window of `CARAVAN_INGEST_RATE_LIMIT`.',
  }),
  CARAVAN_SSRF_ALLOW_CIDRS: string({
    default: undefined,
    pattern: CIDR_LIST,
    format: 'a comma-separated list of CIDRs (e.g. 127.0.0.0/8,fd00::/8)',
    usedBy: ['dispatcher', 'api'],
    description:
      "CIDRs the dispatcher may deliver to (and the api's `POST /endpoints/oauth2/test` may call) although the SSRF guard refuses them (loopback, private, link-local, metadata), comma-separated, e.g. `10.1.0.0/16`. Unset = guard fully on (Helm, compose and a plain `node dist/...` leave it unset); `scripts/up.sh` sets `127.0.0.0/8,::1/128` for local try-outs and says so. Open only the ranges of endpoints you trust.",
  }),
  CARAVAN_DISPATCHER_LEASE_SECONDS: integer({
    default: 10,
    min: 3,
    max: 3600,
    usedBy: ['dispatcher'],
    description:
      'Lease on a claimed delivery, renewed every third of it while the dispatcher lives; when a dispatcher dies, its claimed rows go back to the others once it lapses.',
  }),
  CARAVAN_DISPATCHER_SCHEDULER_INTERVAL_MS: integer({
    default: 1_000,
    min: 100,
    max: 60_000,
    usedBy: ['dispatcher'],
    description: 'How often the scheduler looks for due retries, lost doorbells and expired leases.',
  }),
  CARAVAN_DISPATCHER_DOORBELL_GRACE_SECONDS: integer({
    default: 10,
    min: 1,
    max: 3600,
    usedBy: ['dispatcher'],
    description:
      'A Scheduled delivery untouched this long is considered to have lost its doorbell and is rung again; a row or event the scheduler re-rang is not re-rung before this passes.',
  }),
  CARAVAN_DISPATCHER_EVENT_GRACE_MS: integer({
    default: 1_000,
    min: 100,
    max: 3_600_000,
    usedBy: ['dispatcher'],
    description:
      'A Pending event not routed this long after its acceptance is rung again by the scheduler (an api that died between commit and doorbell); after that at most once per doorbell grace.',
  }),
  CARAVAN_DISPATCHER_BATCH_SIZE: integer({
    default: 500,
    min: 1,
    max: 10_000,
    usedBy: ['dispatcher'],
    description: 'Rows the scheduler handles, and deliveries claimed, per statement.',
  }),
  CARAVAN_DISPATCHER_PARTITIONS_CONCURRENCY: integer({
    default: 4,
    min: 1,
    max: 64,
    usedBy: ['dispatcher'],
    description: 'Kafka partitions each consumer works on at the same time.',
  }),
  CARAVAN_DISPATCHER_MAX_IN_FLIGHT: integer({
    default: 1_000,
    min: 1,
    max: 100_000,
    usedBy: ['dispatcher'],
    description:
      'Deliveries one dispatcher sends at the same time. Sends run beside the Kafka batch that claimed them (a slow endpoint does not hold up its partition); when this many are in flight, consuming waits.',
  }),
  CARAVAN_DISPATCHER_MAX_RESPONSE_BYTES: integer({
    default: 50 * 1024,
    min: 0,
    max: 10 * 1024 * 1024,
    usedBy: ['dispatcher'],
    description: 'Response body bytes kept per attempt; the rest is read and dropped.',
  }),
  CARAVAN_DISPATCHER_ROUTER_GROUP_ID: string({
    default: undefined,
    minLength: 1,
    usedBy: ['dispatcher'],
    unsetMeans: '*`<events topic>.router`*',
    description:
      'Consumer group of the router. The default keeps two Caravans with different topics on one cluster apart (a shared group whose members read different topics leaves partitions with no reader).',
  }),
  CARAVAN_DISPATCHER_SENDER_GROUP_ID: string({
    default: undefined,
    minLength: 1,
    usedBy: ['dispatcher'],
    unsetMeans: '*`<deliveries topic>.sender`*',
    description: 'Consumer group of the sender.',
  }),
  CARAVAN_BREAKER_SAMPLE_SECONDS: integer({
    default: 30,
    min: 1,
    usedBy: ['dispatcher'],
    description: "Circuit breaker: sliding window over which an endpoint's failure rate is measured.",
  }),
  CARAVAN_BREAKER_FAILURE_THRESHOLD: integer({
    default: 70,
    min: 1,
    max: 100,
    usedBy: ['dispatcher'],
    description: 'Circuit breaker: failure percentage within the window that opens the breaker.',
  }),
  CARAVAN_BREAKER_MIN_REQUESTS: integer({
    default: 10,
    min: 1,
    usedBy: ['dispatcher'],
    description: 'Circuit breaker: attempts within the window before the failure rate is judged.',
  }),
  CARAVAN_BREAKER_ERROR_TIMEOUT_SECONDS: integer({
    default: 30,
    min: 1,
    usedBy: ['dispatcher'],
    description: 'Circuit breaker: how long it stays open before one half-open probe.',
  }),
  CARAVAN_BREAKER_DISABLE_AFTER_TRIPS: integer({
    default: 10,
    min: 1,
    usedBy: ['dispatcher'],
    description:
      "Consecutive trips (opens without a successful probe in between) after which the endpoint is set `inactive`, when its project's config says `disable_endpoint`.",
  }),
  CARAVAN_TRANSFORM_TIMEOUT_MS: integer({
    default: 250,
    min: 1,
    max: 10_000,
    usedBy: 'all',
    description:
      'Wall-clock limit of one tenant function call (a source\'s `body_function` / `header_function`, a subscription\'s `function`, `test_function`). A slower call fails its message (`reason="transform"`) or delivery; the worker running it is terminated if QuickJS cannot interrupt it.',
  }),
  CARAVAN_TRANSFORM_MEMORY_MB: integer({
    default: 32,
    min: 1,
    max: 1024,
    usedBy: 'all',
    description:
      'Heap limit of each tenant function (its QuickJS runtime), MiB; an allocation beyond it fails the call.',
  }),
  CARAVAN_TRANSFORM_WORKERS: integer({
    default: 2,
    min: 1,
    max: 64,
    usedBy: 'all',
    description:
      'Worker threads running tenant functions per process, each with V8 resource limits; tenant code never runs on the main thread.',
  }),
  CARAVAN_SMTP_HOST: string({
    default: undefined,
    usedBy: ['dispatcher'],
    description:
      'SMTP server for endpoint failure notifications to an endpoint\'s `support_email`. Unset = no mails (counted as `outcome="skipped"`).',
  }),
  CARAVAN_SMTP_PORT: integer({
    default: 587,
    min: 1,
    max: 65535,
    usedBy: ['dispatcher'],
    description: 'SMTP port.',
  }),
  CARAVAN_SMTP_SECURE: boolean({
    default: false,
    usedBy: ['dispatcher'],
    description: '`true` = TLS from the first byte (port 465); `false` = STARTTLS when the server offers it.',
  }),
  CARAVAN_SMTP_USERNAME: string({
    default: undefined,
    usedBy: ['dispatcher'],
    description: 'SMTP login; unset = no authentication.',
  }),
  CARAVAN_SMTP_PASSWORD: string({
    default: undefined,
    usedBy: ['dispatcher'],
    secret: true,
    description: 'SMTP password.',
  }),
  CARAVAN_SMTP_FROM: string({
    default: 'Caravan <caravan@localhost>',
    minLength: 3,
    usedBy: ['dispatcher'],
    description: 'Sender address of notification mails.',
  }),
  CARAVAN_RETENTION_INTERVAL_SECONDS: integer({
    default: 60,
    min: 1,
    max: 86_400,
    usedBy: ['dispatcher'],
    description:
      "How often the retention job deletes rows older than their project's `retention_policy`. One replica sweeps at a time (advisory lock).",
  }),
  CARAVAN_RETENTION_BATCH_SIZE: integer({
    default: 1_000,
    min: 1,
    max: 100_000,
    usedBy: ['dispatcher'],
    description:
      'Events (with their deliveries and attempts) or meta events deleted per statement by the retention job. Smaller batches mean shorter row locks.',
  }),
  CARAVAN_INGESTER_SOURCES_POLL_MS: integer({
    default: 2_000,
    min: 100,
    max: 60_000,
    usedBy: ['ingester'],
    description:
      "How often the ingester checks the sources table's change marker for new, changed or removed pub_sub sources.",
  }),
  CARAVAN_INGESTER_PREFETCH: integer({
    default: 20,
    min: 1,
    max: 1_000,
    usedBy: ['ingester'],
    description:
      'Unacknowledged messages per consumer (AMQP prefetch, Pub/Sub flow control; SQS takes at most 10 per poll, the service maximum).',
  }),
  CARAVAN_INGESTER_SQS_WAIT_SECONDS: integer({
    default: 20,
    min: 0,
    max: 20,
    usedBy: ['ingester'],
    description: 'SQS long-poll wait per receive (the service allows 0–20 s).',
  }),
  CARAVAN_INGESTER_SQS_VISIBILITY_SECONDS: integer({
    default: 30,
    min: 1,
    max: 43_200,
    usedBy: ['ingester'],
    description:
      'SQS visibility timeout asked for on receive; a message not committed within it is not processed any further and reappears on the queue.',
  }),
  CARAVAN_INGESTER_RETRY_DELAY_MS: integer({
    default: 2_000,
    min: 10,
    max: 600_000,
    usedBy: ['ingester'],
    description: 'Back-off before a message that failed for a transient reason (e.g. Postgres down) is tried again.',
  }),
  CARAVAN_INGESTER_DRAIN_TIMEOUT_MS: integer({
    default: 10_000,
    min: 0,
    usedBy: ['ingester'],
    description: 'On shutdown, how long consumers may finish in-flight messages before disconnecting anyway.',
  }),
  CARAVAN_INGESTER_KAFKA_SESSION_TIMEOUT_MS: integer({
    default: 6_000,
    min: 1_000,
    max: 1_800_000,
    usedBy: ['ingester'],
    description:
      "Session timeout of the ingester's Kafka consumers: how long before a dead replica's partitions move to the others (within the broker's bounds, 6 s minimum by default). Heartbeats go every third of it, at most every 3 s.",
  }),
  CARAVAN_INGESTER_BROKER_ALLOW_CIDRS: string({
    default: undefined,
    pattern: CIDR_LIST,
    format: 'a comma-separated list of CIDRs (e.g. 10.0.0.0/8,fd00::/8)',
    usedBy: ['ingester'],
    description:
      'CIDRs the ingester may connect to for a pub_sub source although its SSRF guard refuses them (loopback, private, link-local), comma-separated, e.g. `10.0.0.0/8`: brokers are often private. Cloud metadata addresses stay refused. Unset = guard fully on.',
  }),
  CARAVAN_INGESTER_MAX_CONSUMERS_PER_PROJECT: integer({
    default: 100,
    min: 1,
    max: 10_000,
    usedBy: ['ingester'],
    description:
      'Most broker consumers (sources × workers) one project may run in each ingester; a source that would exceed it is not consumed and the refusal is logged.',
  }),
} as const satisfies Record<string, VariableDefinition>;

export type ConfigVariableName = keyof typeof CONFIG_VARIABLES;

type ValueOf<V> =
  V extends EnumVariable<infer E>
    ? E
    : V extends IntegerVariable
      ? number
      : V extends BooleanVariable
        ? boolean
        : string;

/** The parsed environment: a variable without a default may be undefined. */
export type CaravanEnvironment = {
  [K in ConfigVariableName]: (typeof CONFIG_VARIABLES)[K]['default'] extends undefined
    ? ValueOf<(typeof CONFIG_VARIABLES)[K]> | undefined
    : ValueOf<(typeof CONFIG_VARIABLES)[K]>;
};

/** The variables that hold credentials (never logged, never in a ConfigMap). */
export const SECRET_VARIABLES: readonly ConfigVariableName[] = (
  Object.keys(CONFIG_VARIABLES) as ConfigVariableName[]
).filter((name) => (CONFIG_VARIABLES[name] as VariableDefinition).secret === true);
