import { DataSource, DataSourceOptions } from 'typeorm';
import { ApiKeyEntity } from './entities/api-key.entity';
import { DeliveryAttemptEntity } from './entities/delivery-attempt.entity';
import { EndpointEntity } from './entities/endpoint.entity';
import { EventDeliveryEntity } from './entities/event-delivery.entity';
import { EventEntity } from './entities/event.entity';
import { MetaEventEntity } from './entities/meta-event.entity';
import { PortalLinkEntity } from './entities/portal-link.entity';
import { ProjectEntity } from './entities/project.entity';
import { SourceEntity } from './entities/source.entity';
import { SubscriptionEntity } from './entities/subscription.entity';
import { EventTypeEntity } from './entities/event-type.entity';
import { SubscriptionFilterEntity } from './entities/subscription-filter.entity';
import { Catalogue1732530000000 } from './migrations/1732530000000-catalogue.migration';
import { EndpointBreakerState1732400000000 } from './migrations/1732400000000-endpoint-breaker-state.migration';
import { InitialSchema1732300000000 } from './migrations/1732300000000-initial-schema.migration';
import { DeliveryFeatures1796323456672 } from './migrations/1796323456672-delivery-features.migration';
import { ApiLimitsAndRetention1733100000000 } from './migrations/1733100000000-api-limits-and-retention.migration';
import { PortalLinksAndStatistics1732500000000 } from './migrations/1732500000000-portal-links-and-statistics.migration';
import { TraceContext1796400000000 } from './migrations/1796400000000-trace-context.migration';

/** Structurally CaravanConfig['database'], so persistence does not depend on the config lib. */
export interface DatabaseOptions {
  url: string;
  poolSize: number;
}

// Imported arrays, not globs: the apps are bundled by webpack, where globs find nothing.
export const CARAVAN_ENTITIES = [
  ProjectEntity,
  ApiKeyEntity,
  EndpointEntity,
  SourceEntity,
  SubscriptionEntity,
  EventEntity,
  EventDeliveryEntity,
  DeliveryAttemptEntity,
  MetaEventEntity,
  EventTypeEntity,
  SubscriptionFilterEntity,
  PortalLinkEntity,
];

/** In order of application; append new migrations at the end. */
export const CARAVAN_MIGRATIONS = [
  InitialSchema1732300000000,
  EndpointBreakerState1732400000000,
  PortalLinksAndStatistics1732500000000,
  Catalogue1732530000000,
  ApiLimitsAndRetention1733100000000,
  DeliveryFeatures1796323456672,
  TraceContext1796400000000,
];

export const MIGRATIONS_TABLE_NAME = 'caravan_migrations';

export function createDataSourceOptions(database: DatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: database.url,
    poolSize: database.poolSize,
    applicationName: 'caravan',
    entities: CARAVAN_ENTITIES,
    migrations: CARAVAN_MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE_NAME,
    // The schema is owned by hand-written migrations, run explicitly by a deploy step.
    synchronize: false,
    migrationsRun: false,
  };
}

async function withDataSource<T>(url: string, work: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const dataSource = new DataSource(createDataSourceOptions({ url, poolSize: 1 }));
  await dataSource.initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** Applies pending migrations (each in its own transaction); returns the names applied. */
export async function runMigrations(url: string): Promise<string[]> {
  return withDataSource(url, async (dataSource) => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  });
}

/** Reverts every applied migration, newest first, then drops the bookkeeping table. */
export async function revertAllMigrations(url: string): Promise<void> {
  await withDataSource(url, async (dataSource) => {
    while ((await countApplied(dataSource)) > 0) {
      await dataSource.undoLastMigration({ transaction: 'each' });
    }
    await dataSource.query(`DROP TABLE IF EXISTS "${MIGRATIONS_TABLE_NAME}"`);
  });
}

async function countApplied(dataSource: DataSource): Promise<number> {
  const exists: Array<{ present: boolean }> = await dataSource.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [
    MIGRATIONS_TABLE_NAME,
  ]);
  if (!exists[0]?.present) {
    return 0;
  }
  const rows: Array<{ n: number }> = await dataSource.query(
    `SELECT count(*)::int AS n FROM "${MIGRATIONS_TABLE_NAME}"`,
  );
  return rows[0]?.n ?? 0;
}
