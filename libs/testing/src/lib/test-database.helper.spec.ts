import { Client } from 'pg';
import {
  adminDatabaseUrl,
  createTestDatabase,
  databaseCreatedAt,
  templateDatabaseName,
  TestDatabase,
} from './test-database.helper';

async function withAdmin<T>(work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

const databaseExists = (name: string) =>
  withAdmin(
    async (admin) => (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1,
  );

describe('createTestDatabase', () => {
  // Cloning a template database waits on Postgres, which a busy machine slows far past Jest's 5 s default.
  jest.setTimeout(60_000);
  const stale = `caravan_t_${Date.now() - 2 * 60 * 60 * 1000}_deadbeef`;
  const fresh = `caravan_t_${Date.now()}_cafef00d`;

  beforeAll(async () => {
    await withAdmin(async (admin) => {
      await admin.query(`CREATE DATABASE "${stale}"`);
      await admin.query(`CREATE DATABASE "${fresh}"`);
    });
  });

  afterAll(async () => {
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${fresh}" WITH (FORCE)`));
  });

  it('gives each caller its own migrated database, and drop() removes it', async () => {
    const [a, b]: TestDatabase[] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      expect(a.url).not.toBe(b.url);
      expect(a.dataSource.isInitialized).toBe(true);
      // Migrated: the schema is there and the migration is recorded.
      const [{ name }] = await a.dataSource.query(`SELECT name FROM caravan_migrations`);
      expect(name).toBe('InitialSchema1732300000000');
      // Isolated: a row in one is not in the other.
      await a.dataSource.query(
        `INSERT INTO projects (id, name, type, config) VALUES ('01H3FRSZYKNYWGPVV46RN98PM5', 'p', 'outgoing', '{}')`,
      );
      expect(await b.dataSource.query(`SELECT id FROM projects`)).toEqual([]);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
    expect(await databaseExists(new URL(a.url).pathname.slice(1))).toBe(false);
    expect(await databaseExists(new URL(b.url).pathname.slice(1))).toBe(false);
  });

  it('keeps a template named after the migrations that nobody can connect to', async () => {
    expect(templateDatabaseName()).toMatch(/^caravan_tpl_[0-9a-f]{8}$/);
    const [template] = await withAdmin(
      async (admin) =>
        (await admin.query('SELECT datallowconn FROM pg_database WHERE datname = $1', [templateDatabaseName()])).rows,
    );
    expect(template).toEqual({ datallowconn: false });
  });

  it('sweeps leftover test databases older than an hour, and only those', async () => {
    expect(await databaseExists(stale)).toBe(false);
    expect(await databaseExists(fresh)).toBe(true);
  });

  it('reads the creation time from the name', () => {
    expect(databaseCreatedAt('caravan_t_1732300000000_0a1b2c3d')).toBe(1732300000000);
    expect(databaseCreatedAt('caravan_tpl_0a1b2c3d')).toBeNull();
    expect(databaseCreatedAt('caravan_test')).toBeNull();
  });
});
