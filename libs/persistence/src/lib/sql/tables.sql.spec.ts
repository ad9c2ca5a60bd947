import { newId } from '@caravan/domain';
import { createTestDatabase, insertProject, TestDatabase } from '@caravan/testing';
import { isQueryFailure, isUniqueViolation } from '../database-error';
import { EventEntity } from '../entities/event.entity';
import { queryRows } from './sql-rows.helper';
import * as tables from './tables.sql';
import { EVENT_TABLE, SOURCE_TABLE } from './tables.sql';

describe('table row mappers', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('declare every column of every entity under the name its decorators give (and nothing else)', () => {
    const mappers = Object.values(tables);
    expect(mappers.map((mapper) => mapper.table).sort()).toEqual(
      db.dataSource.entityMetadatas.map((metadata) => metadata.tableName).sort(),
    );
    for (const mapper of mappers) {
      const metadata = db.dataSource.getMetadata(mapper.table);
      expect({ table: mapper.table, columns: [...mapper.columns].sort() }).toEqual({
        table: mapper.table,
        columns: metadata.columns.map((column) => column.databaseName).sort(),
      });
      const json = metadata.columns.filter((column) => column.type === 'jsonb').map((column) => column.databaseName);
      expect({ table: mapper.table, json: [...mapper.jsonColumns].sort() }).toEqual({
        table: mapper.table,
        json: json.sort(),
      });
    }
  });

  it('round-trips an entity through INSERT … RETURNING * as the finders read it', async () => {
    const project = await insertProject(db.dataSource);
    const id = newId();
    const manager = db.dataSource.manager;
    const [row] = await EVENT_TABLE.insert(
      manager,
      [
        {
          id,
          projectId: project.id,
          eventType: 'invoice.paid',
          routing: 'broadcast',
          raw: Buffer.from('{"a":[1,2]}'),
          headers: { 'x-list': ['a', 'b'] },
          endpointIds: ['ep1', 'ep2'],
        },
      ],
      'RETURNING *',
    );
    const mapped = EVENT_TABLE.fromRow(row);
    const found = await db.dataSource.getRepository(EventEntity).findOneByOrFail({ projectId: project.id, id });
    expect(mapped).toBeInstanceOf(EventEntity);
    expect(mapped).toEqual(found);
    // jsonb holding an array is stored as JSON, not as a Postgres array; defaults filled in.
    expect(mapped.headers).toEqual({ 'x-list': ['a', 'b'] });
    expect(mapped.endpointIds).toEqual(['ep1', 'ep2']);
    expect(mapped.generation).toBe(0);
    expect(mapped.createdAt).toBeInstanceOf(Date);
  });

  it('maps a partial row to the columns it has', () => {
    const mapped = EVENT_TABLE.fromRow({ id: 'e1', project_id: 'p1' });
    expect(mapped).toBeInstanceOf(EventEntity);
    expect({ ...mapped }).toEqual({ id: 'e1', projectId: 'p1' });
  });

  it('inserts a batch larger than one statement takes, in chunks', async () => {
    const project = await insertProject(db.dataSource);
    const rows = Array.from({ length: 5_000 }, (_, index) => ({
      projectId: project.id,
      eventType: `t${index}`,
      routing: 'broadcast' as const,
      raw: Buffer.from('{}'),
      headers: {},
    }));
    const inserted = await EVENT_TABLE.insert(db.dataSource.manager, rows, 'RETURNING id');
    expect(new Set(inserted.map((row) => row['id'])).size).toBe(5_000);
  });

  it('tells a unique violation on a named constraint from other failures', async () => {
    const project = await insertProject(db.dataSource);
    const source = {
      projectId: project.id,
      name: 's',
      type: 'http',
      maskId: `mask-${newId()}`,
      verifier: { type: 'noop' },
    };
    await SOURCE_TABLE.insert(db.dataSource.manager, [source as never], 'RETURNING id');
    const duplicate = await SOURCE_TABLE.insert(db.dataSource.manager, [source as never], 'RETURNING id').catch(
      (error: unknown) => error,
    );
    expect(isQueryFailure(duplicate)).toBe(true);
    expect(isUniqueViolation(duplicate, 'sources_mask_id_key')).toBe(true);
    expect(isUniqueViolation(duplicate, 'another_key')).toBe(false);
    const syntax = await queryRows(db.dataSource.manager, 'SELEC 1').catch((error: unknown) => error);
    expect(isQueryFailure(syntax)).toBe(true);
    expect(isUniqueViolation(syntax, 'sources_mask_id_key')).toBe(false);
    expect(isQueryFailure(new Error('not a query'))).toBe(false);
  });
});
