import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

export type ServiceName = 'api' | 'ingester' | 'dispatcher';

export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = {
  api: 5005,
  ingester: 5006,
  dispatcher: 5007,
};

const toBoolean = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;

/**
 * Every environment variable Caravan reads, with its default. Validated once at boot so a
 * bad value stops the process with a message naming the variable, instead of failing later.
 */
export class CaravanEnvironment {
  @IsOptional()
  @IsString()
  CARAVAN_HTTP_HOST = '0.0.0.0';

  /** Defaults per service: api 5005, ingester 5006, dispatcher 5007. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  CARAVAN_HTTP_PORT?: number;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// connection URL' })
  CARAVAN_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/caravan';

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  CARAVAN_DATABASE_POOL_SIZE = 20;

  /** Comma-separated host:port list. */
  @IsOptional()
  @Matches(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, { message: 'must be a comma-separated list of host:port' })
  CARAVAN_KAFKA_BROKERS = '127.0.0.1:9092';

  @IsOptional()
  @IsString()
  @MinLength(1)
  CARAVAN_KAFKA_CLIENT_ID = 'caravan';

  @IsOptional()
  @IsString()
  @MinLength(1)
  CARAVAN_KAFKA_EVENTS_TOPIC = 'caravan.events';

  @IsOptional()
  @IsString()
  @MinLength(1)
  CARAVAN_KAFKA_DELIVERIES_TOPIC = 'caravan.deliveries';

  /** Partitions of the topics Caravan creates; the ceiling on useful dispatcher replicas. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  CARAVAN_KAFKA_PARTITIONS = 12;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5)
  CARAVAN_KAFKA_REPLICATION_FACTOR = 1;

  /**
   * Session timeout of the dispatcher's consumers (router and sender): how long the group waits
   * for a member that died (SIGKILL, lost node) before its partitions move to the others. The
   * broker bounds it (group.min.session.timeout.ms, 6 s by default).
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(1_800_000)
  CARAVAN_KAFKA_SESSION_TIMEOUT_MS = 6_000;

  /** How often the dispatcher's consumers heartbeat; a third of the session timeout or less. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  CARAVAN_KAFKA_HEARTBEAT_INTERVAL_MS = 1_000;

  /**
   * How long a rebalance waits for the live members of a dispatcher group to re-join: a member
   * busy past it is dropped from the generation. Batches check the group between doorbells,
   * so members re-join well within it.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(1_800_000)
  CARAVAN_KAFKA_REBALANCE_TIMEOUT_MS = 10_000;

  /** Whether services create missing topics at boot (operators who manage topics turn it off). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  CARAVAN_KAFKA_CREATE_TOPICS = true;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  CARAVAN_LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /** Unset: pretty when stdout is a terminal, JSON lines otherwise (a container, a pipe). */
  @IsOptional()
  @IsIn(['json', 'pretty'])
  CARAVAN_LOG_FORMAT?: 'json' | 'pretty';

  /** How long a service may take to finish in-flight work after SIGTERM. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  CARAVAN_SHUTDOWN_TIMEOUT_MS = 25_000;

  /** Timeout of each readiness probe check (Postgres, Kafka). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  CARAVAN_READINESS_TIMEOUT_MS = 2_000;

  /**
   * Requests per project per CARAVAN_API_RATE_LIMIT_WINDOW_SECONDS on the REST API's project
   * routes, counted in Postgres so every api replica shares one budget. 0 = unlimited.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  CARAVAN_API_RATE_LIMIT = 0;

  /** The window of CARAVAN_API_RATE_LIMIT, in seconds (fixed windows aligned on the epoch). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  CARAVAN_API_RATE_LIMIT_WINDOW_SECONDS = 60;

  /** Requests per http source per CARAVAN_INGEST_RATE_LIMIT_WINDOW_SECONDS on /ingest, shared by every replica. 0 = unlimited. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  CARAVAN_INGEST_RATE_LIMIT = 0;

  /** The window of CARAVAN_INGEST_RATE_LIMIT, in seconds. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  CARAVAN_INGEST_RATE_LIMIT_WINDOW_SECONDS = 60;

  /**
   * The instance admin key: may create, read, update and delete projects. Unset means no
   * admin routes (projects are then managed with their own keys only).
   */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'CARAVAN_ADMIN_API_KEY must be at least 32 characters' })
  CARAVAN_ADMIN_API_KEY?: string;

  /** Base URL the api is reachable at from outside, used in sources' ingest `url`. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http(s) URL' })
  CARAVAN_PUBLIC_URL = 'http://127.0.0.1:5005';

  // ------------------------------------------------------------------------- dispatcher

  /**
   * CIDRs the dispatcher may deliver to although the SSRF guard would refuse them (loopback,
   * private, link-local, metadata …), comma-separated, e.g. `127.0.0.0/8,10.1.0.0/16`.
   * Empty (the default) keeps the guard fully on.
   */
  @IsOptional()
  @Matches(/^\s*([0-9a-fA-F:.]+\/\d{1,3})(\s*,\s*[0-9a-fA-F:.]+\/\d{1,3})*\s*$/, {
    message: 'must be a comma-separated list of CIDRs (e.g. 127.0.0.0/8,fd00::/8)',
  })
  CARAVAN_SSRF_ALLOW_CIDRS?: string;

  /**
   * The lease on a claimed delivery, renewed every third of it while the dispatcher lives.
   * After it lapses (the dispatcher died), the scheduler hands the row to another sender.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(3)
  @Max(3600)
  CARAVAN_DISPATCHER_LEASE_SECONDS = 10;

  /** How often the scheduler looks for due retries, lost doorbells and expired leases. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  CARAVAN_DISPATCHER_SCHEDULER_INTERVAL_MS = 1_000;

  /**
   * A Scheduled delivery or a Pending event untouched this long counts as having lost its
   * doorbell, and the scheduler rings it again (Retry rows are rung as soon as they are due).
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  CARAVAN_DISPATCHER_DOORBELL_GRACE_SECONDS = 10;

  /**
   * A Pending event not routed this long after its acceptance gets its doorbell rung again by
   * the scheduler (the api may have died between the commit and the ring); after that, at most
   * once per doorbell grace.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  CARAVAN_DISPATCHER_EVENT_GRACE_MS = 1_000;

  /** Rows the scheduler handles per statement, and deliveries claimed per statement. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  CARAVAN_DISPATCHER_BATCH_SIZE = 500;

  /** Kafka partitions each consumer works on at the same time. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  CARAVAN_DISPATCHER_PARTITIONS_CONCURRENCY = 4;

  /**
   * Deliveries one dispatcher instance sends at the same time. Sends run in the background of
   * the Kafka batch that claimed them (a slow endpoint does not hold up its partition); when
   * this many are in flight, consuming waits.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  CARAVAN_DISPATCHER_MAX_IN_FLIGHT = 1_000;

  /** Response body bytes kept per attempt (the rest is read and dropped). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10 * 1024 * 1024)
  CARAVAN_DISPATCHER_MAX_RESPONSE_BYTES = 50 * 1024;

  /**
   * Consumer group of the router (reads the events topic). Defaults to `<events topic>.router`,
   * so two Caravans with different topics on one cluster never share a group (a shared group
   * whose members read different topics leaves partitions with no reader).
   */
  @IsOptional()
  @IsString()
  @MinLength(1)
  CARAVAN_DISPATCHER_ROUTER_GROUP_ID?: string;

  /** Consumer group of the sender (reads the deliveries topic). Defaults to `<deliveries topic>.sender`. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  CARAVAN_DISPATCHER_SENDER_GROUP_ID?: string;

  /** Circuit breaker: the sliding window over which the failure rate is measured (Convoy's sample rate). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  CARAVAN_BREAKER_SAMPLE_SECONDS = 30;

  /** Circuit breaker: failure percentage within the window that opens the breaker. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  CARAVAN_BREAKER_FAILURE_THRESHOLD = 70;

  /** Circuit breaker: attempts within the window before the failure rate is judged at all. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  CARAVAN_BREAKER_MIN_REQUESTS = 10;

  /** Circuit breaker: how long it stays open before one half-open probe is let through. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  CARAVAN_BREAKER_ERROR_TIMEOUT_SECONDS = 30;

  /**
   * Circuit breaker: consecutive trips (opens without a successful probe in between) after
   * which the endpoint is set `inactive`, when its project's config says `disable_endpoint`.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  CARAVAN_BREAKER_DISABLE_AFTER_TRIPS = 10;

  /** SMTP server for endpoint failure notifications (support_email). Unset = no emails. */
  @IsOptional()
  @IsString()
  CARAVAN_SMTP_HOST?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  CARAVAN_SMTP_PORT = 587;

  /** true = TLS from the first byte (port 465); false = STARTTLS when the server offers it. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  CARAVAN_SMTP_SECURE = false;

  @IsOptional()
  @IsString()
  CARAVAN_SMTP_USERNAME?: string;

  @IsOptional()
  @IsString()
  CARAVAN_SMTP_PASSWORD?: string;

  /** Sender address of notification emails. */
  @IsOptional()
  @IsString()
  @MinLength(3)
  CARAVAN_SMTP_FROM = 'Caravan <caravan@localhost>';

  /** How often the dispatcher's retention job looks for rows older than their project's retention_policy. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  CARAVAN_RETENTION_INTERVAL_SECONDS = 60;

  /** Events (with their deliveries and attempts), or meta events, deleted per statement by the retention job. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  CARAVAN_RETENTION_BATCH_SIZE = 1_000;

  // -------------------------------------------------------------------------- transforms

  /**
   * Wall-clock limit of one tenant function call (a source's body_function / header_function,
   * a subscription's function, test_function); a slower call fails its message or delivery.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  CARAVAN_TRANSFORM_TIMEOUT_MS = 250;

  /** Heap limit of each tenant function (its QuickJS runtime), in MiB; an allocation beyond it fails the call. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1024)
  CARAVAN_TRANSFORM_MEMORY_MB = 32;

  /** Worker threads running tenant functions in each process (each with V8 resource limits). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  CARAVAN_TRANSFORM_WORKERS = 2;

  // --------------------------------------------------------------------------- ingester

  /** How often the ingester checks the sources table's change marker for new, changed or removed pub_sub sources. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  CARAVAN_INGESTER_SOURCES_POLL_MS = 2_000;

  /**
   * Messages one consumer (worker) holds unacknowledged at a time: AMQP's prefetch and Pub/Sub's
   * flow control. SQS receives at most 10 per poll (the service's maximum).
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000)
  CARAVAN_INGESTER_PREFETCH = 20;

  /** SQS long-polling wait per ReceiveMessage call (the service allows 0–20 s). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(20)
  CARAVAN_INGESTER_SQS_WAIT_SECONDS = 20;

  /**
   * SQS visibility timeout asked for on receive. A message not committed within it is not
   * processed any further (another consumer may have it by then) and reappears on the queue.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(43_200)
  CARAVAN_INGESTER_SQS_VISIBILITY_SECONDS = 30;

  /** Back-off before a message that failed for a transient reason (e.g. Postgres down) is tried again. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(600_000)
  CARAVAN_INGESTER_RETRY_DELAY_MS = 2_000;

  /** On shutdown, how long consumers may take to finish in-flight messages before they disconnect anyway. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  CARAVAN_INGESTER_DRAIN_TIMEOUT_MS = 10_000;

  /**
   * Session timeout of the ingester's Kafka consumers: how long the group waits for a replica
   * that died before its partitions move to the others (the broker bounds it, 6 s–30 min by default).
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(1_800_000)
  CARAVAN_INGESTER_KAFKA_SESSION_TIMEOUT_MS = 6_000;

  /**
   * CIDRs the ingester may connect to for a pub_sub source although its SSRF guard would
   * refuse them (loopback, private, link-local …), comma-separated, e.g. `10.0.0.0/8`: brokers
   * are often private. Cloud metadata addresses stay refused. Empty (the default) keeps the
   * guard fully on.
   */
  @IsOptional()
  @Matches(/^\s*([0-9a-fA-F:.]+\/\d{1,3})(\s*,\s*[0-9a-fA-F:.]+\/\d{1,3})*\s*$/, {
    message: 'must be a comma-separated list of CIDRs (e.g. 10.0.0.0/8,fd00::/8)',
  })
  CARAVAN_INGESTER_BROKER_ALLOW_CIDRS?: string;

  /** Most broker consumers (sources × workers) one project may run in each ingester; sources beyond it are not consumed. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  CARAVAN_INGESTER_MAX_CONSUMERS_PER_PROJECT = 100;
}
