import type { EntityManager } from 'typeorm';

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

/**
 * The entity a join's row carries under `prefix.` (TableMapper.prefixedColumns), or undefined
 * when the join found none; built once per id, so the rows of one entity share its instance.
 */
export function joinedEntity<T>(
  row: SqlRow,
  prefix: string,
  built: Map<string, T>,
  build: (fields: SqlRow) => T,
): T | undefined {
  const id = row[`${prefix}.id`];
  if (typeof id !== 'string') return undefined;
  const existing = built.get(id);
  if (existing) return existing;
  const fields: SqlRow = {};
  const start = prefix.length + 1;
  for (const [column, value] of Object.entries(row)) {
    if (column.startsWith(`${prefix}.`)) fields[column.slice(start)] = value;
  }
  const entity = build(fields);
  built.set(id, entity);
  return entity;
}

/** What callers pass to an insert: the required properties, the rest optional (DB defaults). */
export type NewRow<T, Required extends keyof T> = Pick<T, Required> &
  Partial<Omit<T, Required | 'createdAt' | 'updatedAt' | 'deletedAt'>>;

/** A LIKE/ILIKE pattern matching `text` anywhere, its wildcards escaped (use with ESCAPE '\'). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}
