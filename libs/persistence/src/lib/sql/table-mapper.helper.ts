import { newId } from '@caravan/domain';
import type { EntityManager } from 'typeorm';
import { queryRows, SqlRow } from './sql-rows.helper';

/** Postgres accepts at most 65535 bind parameters per statement. */
const MAX_BIND_PARAMETERS = 65_535;

/** Every property of the entity, each with its column name: the compiler refuses a missing one. */
export type ColumnNames<T> = { readonly [K in keyof T]-?: string };

/**
 * One table's explicit row mapper for typed raw SQL (docs/architecture.md#persistence-one-style-per-kind-of-query).
 * node-postgres already parses every column type Caravan uses (text, integer, boolean,
 * timestamptz → Date, jsonb → value, bytea → Buffer, text[] → string[]), so a row maps to its
 * entity by name alone; on the way in, jsonb values are serialised (pg would write a JS array
 * as a Postgres array).
 */
export class TableMapper<T extends object> {
  private readonly entries: ReadonlyArray<readonly [keyof T, string]>;
  private readonly json: ReadonlySet<keyof T>;

  constructor(
    readonly table: string,
    private readonly create: () => T,
    columns: ColumnNames<T>,
    json: ReadonlyArray<keyof T>,
  ) {
    this.entries = Object.entries(columns).map(
      ([property, column]) => [property as keyof T, column as string] as const,
    );
    this.json = new Set(json);
  }

  /** The column names, in declaration order (for tests and column lists). */
  get columns(): readonly string[] {
    return this.entries.map(([, column]) => column);
  }

  /**
   * The select list of this table joined as `alias`, each column named `prefix.column`, so a
   * row of a join carries it beside the main table's columns (read back with joinedEntity).
   */
  prefixedColumns(alias: string, prefix: string): string {
    return this.entries.map(([, column]) => `${alias}."${column}" AS "${prefix}.${column}"`).join(', ');
  }

  /** The jsonb columns' names (for tests). */
  get jsonColumns(): readonly string[] {
    return this.entries.filter(([property]) => this.json.has(property)).map(([, column]) => column);
  }

  /** A raw snake_case row (all or some of the table's columns) as the entity. */
  fromRow(row: SqlRow): T {
    const entity = this.create();
    for (const [property, column] of this.entries) {
      if (column in row) (entity as Record<keyof T, unknown>)[property] = row[column];
    }
    return entity;
  }

  /**
   * Multi-row INSERT of `rows` followed by `tail` (ON CONFLICT … RETURNING …). A missing id
   * gets a new ULID; any other undefined property becomes DEFAULT. One statement per chunk,
   * chunks sized to stay under the bind-parameter limit. Returns the rows of RETURNING.
   * `leading`, when given, is a `WITH` clause (its own parameters `$1…`) that runs in the
   * statement of the last chunk, so it takes effect only with the last of the rows.
   */
  async insert(
    manager: EntityManager,
    rows: ReadonlyArray<Partial<T>>,
    tail: string,
    leading?: { with: string; params: readonly unknown[] },
  ): Promise<SqlRow[]> {
    if (rows.length === 0) return [];
    const leadingParams = leading?.params.length ?? 0;
    const chunkSize = Math.max(1, Math.floor((MAX_BIND_PARAMETERS - leadingParams) / this.entries.length));
    const columnList = this.entries.map(([, column]) => `"${column}"`).join(', ');
    const returned: SqlRow[] = [];
    for (let start = 0; start < rows.length; start += chunkSize) {
      const last = start + chunkSize >= rows.length;
      const params: unknown[] = last && leading ? [...leading.params] : [];
      const tuples = rows.slice(start, start + chunkSize).map((row) => {
        const values = this.entries.map(([property, column]) => {
          let value: unknown = row[property];
          if (value === undefined && column === 'id') value = newId();
          if (value === undefined) return 'DEFAULT';
          params.push(this.json.has(property) && value !== null ? JSON.stringify(value) : value);
          return `$${params.length}`;
        });
        return `(${values.join(', ')})`;
      });
      const prefix = last && leading ? `${leading.with} ` : '';
      const sql = `${prefix}INSERT INTO "${this.table}" (${columnList}) VALUES ${tuples.join(', ')} ${tail}`;
      returned.push(...(await queryRows(manager, sql, params)));
    }
    return returned;
  }
}
