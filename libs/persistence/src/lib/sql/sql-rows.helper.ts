import { newId } from '@caravan/domain';
import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** Postgres accepts at most 65535 bind parameters per statement. */
const MAX_BIND_PARAMETERS = 65_535;

export type SqlRow = Record<string, unknown>;

/**
 * Runs one statement and returns its rows. TypeORM's `query()` returns `[rows, count]` for
 * UPDATE/DELETE but plain rows for SELECT/INSERT; the structured result is uniform.
 */
export async function queryRows(
  manager: EntityManager,
  sql: string,
  params: readonly unknown[] = [],
): Promise<SqlRow[]> {
  const owned = manager.queryRunner === undefined;
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, [...params], true);
    return (result.records ?? []) as SqlRow[];
  } finally {
    if (owned) {
      await runner.release();
    }
  }
}

/** Maps a raw snake_case row to the entity, with the same conversions TypeORM's finders apply. */
export function hydrate<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, row: SqlRow): T {
  const metadata = manager.connection.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    if (column.databaseName in row) {
      column.setEntityValue(entity, manager.connection.driver.prepareHydratedValue(row[column.databaseName], column));
    }
  }
  return entity;
}

/**
 * Multi-row INSERT of `rows` (entity-shaped plain objects) followed by `tail` (ON CONFLICT …
 * RETURNING …). A missing primary id gets a new ULID; any other undefined property becomes
 * DEFAULT. One statement per chunk, chunks sized to stay under the bind-parameter limit.
 */
export async function insertRows<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: readonly Partial<T>[],
  tail: string,
): Promise<SqlRow[]> {
  if (rows.length === 0) {
    return [];
  }
  const metadata = manager.connection.getMetadata(target);
  const driver = manager.connection.driver;
  const columns = metadata.columns;
  const chunkSize = Math.max(1, Math.floor(MAX_BIND_PARAMETERS / columns.length));
  const columnList = columns.map((column) => `"${column.databaseName}"`).join(', ');
  const returned: SqlRow[] = [];

  for (let start = 0; start < rows.length; start += chunkSize) {
    const params: unknown[] = [];
    const tuples = rows.slice(start, start + chunkSize).map((row) => {
      const values = columns.map((column) => {
        let value: unknown = column.getEntityValue(row);
        if (value === undefined && column.isPrimary) {
          value = newId();
        }
        if (value === undefined) {
          return 'DEFAULT';
        }
        params.push(driver.preparePersistentValue(value, column));
        return `$${params.length}`;
      });
      return `(${values.join(', ')})`;
    });
    const sql = `INSERT INTO "${metadata.tableName}" (${columnList}) VALUES ${tuples.join(', ')} ${tail}`;
    returned.push(...(await queryRows(manager, sql, params)));
  }
  return returned;
}

/** What callers pass to an insert: the required properties, the rest optional (DB defaults). */
export type NewRow<T, Required extends keyof T> = Pick<T, Required> &
  Partial<Omit<T, Required | 'createdAt' | 'updatedAt' | 'deletedAt'>>;

/** A LIKE/ILIKE pattern matching `text` anywhere, its wildcards escaped (use with ESCAPE '\'). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}
