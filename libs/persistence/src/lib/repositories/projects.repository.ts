import { DEFAULT_PROJECT_CONFIG, generateConvoySecret, ProjectConfig, ProjectType } from '@caravan/domain';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ProjectEntity } from '../entities/project.entity';
import { queryRows } from '../sql/sql-rows.helper';
import { PROJECT_TABLE } from '../sql/tables.sql';

/** A config as clients send it: every section optional, and every field within a section. */
export type ProjectConfigInput = { [K in keyof ProjectConfig]?: Partial<ProjectConfig[K]> };

export interface NewProject {
  id?: string;
  name: string;
  type: ProjectType;
  config?: ProjectConfigInput;
}

/** Fills every missing section and field from DEFAULT_PROJECT_CONFIG (sections are one level deep). */
export function mergeProjectConfig(
  input: ProjectConfigInput = {},
  base: ProjectConfig = DEFAULT_PROJECT_CONFIG,
): ProjectConfig {
  const merged = structuredClone(base) as ProjectConfig;
  for (const key of Object.keys(merged) as Array<keyof ProjectConfig>) {
    const given = input[key];
    if (given === undefined) {
      continue;
    }
    const current = merged[key];
    (merged as unknown as Record<string, unknown>)[key] =
      typeof current === 'object' && current !== null && !Array.isArray(current)
        ? { ...current, ...(given as object) }
        : given;
  }
  return merged;
}

/**
 * The config as written: merged over `base`, with a meta-event secret generated when none is
 * set, so meta events are never signed with an empty key. An empty secret in the input means
 * "not given" (Go clients send "" for unset strings) and keeps the current one.
 */
function configToWrite(input: ProjectConfigInput | undefined, base?: ProjectConfig): ProjectConfig {
  let given = input;
  if (input?.meta_event?.secret === '') {
    const { secret: _unset, ...metaEvent } = input.meta_event;
    given = { ...input, meta_event: metaEvent };
  }
  const merged = mergeProjectConfig(given, base);
  if (!merged.meta_event.secret) merged.meta_event.secret = generateConvoySecret();
  return merged;
}

@Injectable()
export class ProjectsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(project: NewProject): Promise<ProjectEntity> {
    const manager = this.dataSource.manager;
    const [row] = await PROJECT_TABLE.insert(
      manager,
      [{ id: project.id, name: project.name, type: project.type, config: configToWrite(project.config) }],
      'RETURNING *',
    );
    return projectFromRow(row);
  }

  async findById(id: string): Promise<ProjectEntity | null> {
    const project = await this.dataSource.getRepository(ProjectEntity).findOneBy({ id });
    return project && withDefaults(project);
  }

  /** Every live project, oldest first (instance admins only; projects are few). */
  async listAll(): Promise<ProjectEntity[]> {
    const projects = await this.dataSource.getRepository(ProjectEntity).find({ order: { id: 'ASC' } });
    return projects.map(withDefaults);
  }

  /** Applies a partial update; a given config is merged over the stored one. */
  async update(id: string, changes: { name?: string; config?: ProjectConfigInput }): Promise<ProjectEntity | null> {
    const current = await this.findById(id);
    if (!current) {
      return null;
    }
    const manager = this.dataSource.manager;
    const rows = await queryRows(
      manager,
      `UPDATE projects SET name = $2, config = $3::jsonb, updated_at = now()
       WHERE id = $1 AND deleted_at IS NULL RETURNING *`,
      [id, changes.name ?? current.name, JSON.stringify(configToWrite(changes.config, current.config))],
    );
    return rows[0] ? projectFromRow(rows[0]) : null;
  }

  /** Returns false when there was no live project with that id. */
  async softDelete(id: string): Promise<boolean> {
    // Not TypeORM's softDelete: it would re-stamp an already deleted row and report success.
    const rows = await queryRows(
      this.dataSource.manager,
      `UPDATE projects SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  /** Live projects by id, in one query (the dispatcher reads the configs of a batch). */
  async findByIds(ids: readonly string[]): Promise<ProjectEntity[]> {
    if (ids.length === 0) {
      return [];
    }
    const manager = this.dataSource.manager;
    const rows = await queryRows(manager, `SELECT * FROM projects WHERE id = ANY($1::text[]) AND deleted_at IS NULL`, [
      [...new Set(ids)],
    ]);
    return rows.map(projectFromRow);
  }
}

/** A `projects` row as the entity; rows written before a config field existed still read as a full config. */
export function projectFromRow(row: Record<string, unknown>): ProjectEntity {
  return withDefaults(PROJECT_TABLE.fromRow(row));
}

function withDefaults(project: ProjectEntity): ProjectEntity {
  project.config = mergeProjectConfig(project.config);
  return project;
}
