import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';

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

  /** Whether services create missing topics at boot (operators who manage topics turn it off). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  CARAVAN_KAFKA_CREATE_TOPICS = true;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  CARAVAN_LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  @IsOptional()
  @IsIn(['json', 'pretty'])
  CARAVAN_LOG_FORMAT: 'json' | 'pretty' = 'json';

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
}
