import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventTypeEntity } from '../entities/event-type.entity';
import { NewRow, queryRows } from '../sql/sql-rows.helper';
import { EVENT_TYPE_TABLE } from '../sql/tables.sql';

export type NewEventType = NewRow<EventTypeEntity, 'projectId' | 'name'>;
export type EventTypeChanges = Partial<Pick<EventTypeEntity, 'description' | 'category' | 'jsonSchema'>>;

/** A project's event-type catalogue; every query is scoped by project. */
@Injectable()
export class EventTypesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The new type, or null when the project already has one of that name. */
  async insert(eventType: NewEventType): Promise<EventTypeEntity | null> {
    const manager = this.dataSource.manager;
    const [row] = await EVENT_TYPE_TABLE.insert(
      manager,
      [eventType],
      'ON CONFLICT (project_id, name) DO NOTHING RETURNING *',
    );
    return row ? EVENT_TYPE_TABLE.fromRow(row) : null;
  }

  /**
   * Creates the types a project lacks and replaces the description, category and schema of
   * those it has (an OpenAPI import), all or nothing. A deprecated type stays deprecated.
   */
  async upsertMany(projectId: string, eventTypes: ReadonlyArray<Omit<NewEventType, 'projectId'>>) {
    return this.dataSource.transaction(async (manager) => {
      const rows = await EVENT_TYPE_TABLE.insert(
        manager,
        eventTypes.map((eventType) => ({ ...eventType, projectId })),
        `ON CONFLICT (project_id, name) DO UPDATE SET
           description = EXCLUDED.description, category = EXCLUDED.category,
           json_schema = EXCLUDED.json_schema, updated_at = now()
         RETURNING *`,
      );
      return rows.map((row) => EVENT_TYPE_TABLE.fromRow(row));
    });
  }

  async listForProject(projectId: string): Promise<EventTypeEntity[]> {
    return this.dataSource.getRepository(EventTypeEntity).find({ where: { projectId }, order: { name: 'ASC' } });
  }

  async findById(projectId: string, id: string): Promise<EventTypeEntity | null> {
    return this.dataSource.getRepository(EventTypeEntity).findOneBy({ projectId, id });
  }

  /** The intake's lookup: the type an event names, if catalogued. */
  async findByName(projectId: string, name: string): Promise<EventTypeEntity | null> {
    return this.dataSource.getRepository(EventTypeEntity).findOneBy({ projectId, name });
  }

  /** The updated type, or null when the project has no such type. */
  async applyChanges(projectId: string, id: string, changes: EventTypeChanges): Promise<EventTypeEntity | null> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(EventTypeEntity)
      .set({ ...changes, updatedAt: () => 'now()' })
      .where('project_id = :projectId AND id = :id', { projectId, id })
      .returning('*')
      .execute();
    const rows = result.raw as Record<string, unknown>[];
    return rows[0] ? EVENT_TYPE_TABLE.fromRow(rows[0]) : null;
  }

  /** Marks the type deprecated (once: a second call keeps the first date); null when there is none. */
  async deprecate(projectId: string, id: string): Promise<EventTypeEntity | null> {
    const manager = this.dataSource.manager;
    const rows = await queryRows(
      manager,
      `UPDATE event_types SET deprecated_at = coalesce(deprecated_at, now()), updated_at = now()
       WHERE project_id = $1 AND id = $2 RETURNING *`,
      [projectId, id],
    );
    return rows[0] ? EVENT_TYPE_TABLE.fromRow(rows[0]) : null;
  }
}
