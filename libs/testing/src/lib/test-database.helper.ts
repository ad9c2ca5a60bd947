import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { CARAVAN_MIGRATIONS, createDataSourceOptions, runMigrations } from '@caravan/persistence';
import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

export interface TestDatabase {
  url: string;
  /** Initialized, on a pool of its own. */
  dataSource: DataSource;
  /** Closes the pool and drops the database (WITH FORCE). */
  drop(): Promise<void>;
}

export interface EmptyTestDatabase {
  url: string;
  drop(): Promise<void>;
}

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/caravan_test';
const TEST_DB_PREFIX = 'caravan_t_';
const TEMPLATE_PREFIX = 'caravan_tpl_';
const LEFTOVER_MAX_AGE_MS = 60 * 60 * 1000;
/** Serialises template builds across Jest workers (and concurrent runs on one server). */
const TEMPLATE_LOCK_KEY = 7_301_733_001;

export function adminDatabaseUrl(): string {
  return process.env['CARAVAN_TEST_DATABASE_URL'] || DEFAULT_ADMIN_URL;
}

/**
 * A migrated template's name is a hash of the migrations' source files, so adding or editing
 * a migration (its SQL included) builds a fresh template instead of testing a stale schema.
 */
export function templateDatabaseName(): string {
  const directory = join(__dirname, '..', '..', '..', 'persistence', 'src', 'lib', 'migrations');
  const hash = createHash('sha256');
  for (const file of readdirSync(directory)
    .filter((name) => name.endsWith('.migration.ts'))
    .sort()) {
    hash.update(file).update(readFileSync(join(directory, file)));
  }
  hash.update(CARAVAN_MIGRATIONS.map((migration) => migration.name).join(','));
  return `${TEMPLATE_PREFIX}${hash.digest('hex').slice(0, 8)}`;
}

/**
 * A fresh, migrated database for one test file, cloned from the template in ~100 ms.
 * Call `drop()` in afterAll.
 */
export async function createTestDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  await ensureTemplate();
  const name = uniqueDatabaseName();
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${ident(name)} TEMPLATE ${ident(templateDatabaseName())}`));
  const url = databaseUrl(name);
  const dataSource = new DataSource(createDataSourceOptions({ url, poolSize: options.poolSize ?? 10 }));
  try {
    await dataSource.initialize();
  } catch (error) {
    await dropDatabase(name);
    throw error;
  }
  return {
    url,
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) {
        await dataSource.destroy();
      }
      await dropDatabase(name);
    },
  };
}

/** A database with no schema at all (for migration tests). */
export async function createEmptyDatabase(): Promise<EmptyTestDatabase> {
  const name = uniqueDatabaseName();
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${ident(name)}`));
  return { url: databaseUrl(name), drop: () => dropDatabase(name) };
}

let templateReady: Promise<void> | undefined;

function ensureTemplate(): Promise<void> {
  templateReady ??= buildTemplateOnce().catch((error: unknown) => {
    templateReady = undefined;
    throw error;
  });
  return templateReady;
}

/**
 * Under a session advisory lock: build the template if missing, then sweep leftovers. The
 * template is built under a temporary name and renamed when complete, so a crash mid-build
 * never leaves a half-migrated template behind.
 */
async function buildTemplateOnce(): Promise<void> {
  const template = templateDatabaseName();
  const building = `${template}_build`;
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    try {
      const existing = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (existing.rowCount === 0) {
        await admin.query(`DROP DATABASE IF EXISTS ${ident(building)} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${ident(building)}`);
        await runMigrations(databaseUrl(building));
        await admin.query(`ALTER DATABASE ${ident(building)} RENAME TO ${ident(template)}`);
        // Nobody may connect to a template: a connection would make CREATE … TEMPLATE fail.
        await admin.query(`ALTER DATABASE ${ident(template)} WITH ALLOW_CONNECTIONS false`);
      }
      await dropLeftovers(admin);
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
    }
  });
}

/** Test databases older than an hour are leftovers of crashed or interrupted runs. */
async function dropLeftovers(admin: Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
    `${TEST_DB_PREFIX.replace(/_/g, '\\_')}%`,
  ]);
  const cutoff = Date.now() - LEFTOVER_MAX_AGE_MS;
  for (const { datname } of rows) {
    const createdAt = databaseCreatedAt(datname);
    if (createdAt !== null && createdAt < cutoff) {
      await admin.query(`DROP DATABASE IF EXISTS ${ident(datname)} WITH (FORCE)`);
    }
  }
}

/** `caravan_t_<epoch ms>_<random hex>`: the timestamp lets the sweep judge its age. */
function uniqueDatabaseName(): string {
  return `${TEST_DB_PREFIX}${Date.now()}_${randomBytes(4).toString('hex')}`;
}

export function databaseCreatedAt(name: string): number | null {
  const match = new RegExp(`^${TEST_DB_PREFIX}(\\d{13})_[0-9a-f]+$`).exec(name);
  return match ? Number(match[1]) : null;
}

async function dropDatabase(name: string): Promise<void> {
  await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`));
}

function databaseUrl(name: string): string {
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** Connects to the admin database, creating it (via `postgres`) on first use. */
async function withAdmin<T>(work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = await connectAdmin();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

async function connectAdmin(): Promise<Client> {
  const client = new Client({ connectionString: adminDatabaseUrl() });
  try {
    await client.connect();
    return client;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') {
      throw error;
    }
  }
  // 3D000: the admin database does not exist yet.
  const url = new URL(adminDatabaseUrl());
  const adminName = url.pathname.slice(1);
  url.pathname = '/postgres';
  const bootstrap = new Client({ connectionString: url.toString() });
  await bootstrap.connect();
  try {
    await bootstrap.query(`CREATE DATABASE ${ident(adminName)}`);
  } catch (error) {
    // 42P04: another worker created it first.
    if ((error as { code?: string }).code !== '42P04') {
      throw error;
    }
  } finally {
    await bootstrap.end();
  }
  const created = new Client({ connectionString: adminDatabaseUrl() });
  await created.connect();
  return created;
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
