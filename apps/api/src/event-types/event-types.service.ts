import { Injectable, NotFoundException } from '@nestjs/common';
import { parse as parseYaml } from 'yaml';
import { webhookEventTypes } from '@caravan/domain';
import { EventDataSchemas, InvalidEventSchemaError } from '@caravan/intake';
import { EventTypeChanges, EventTypeEntity, EventTypesRepository } from '@caravan/persistence';
import { InvalidFieldsException } from '../common/invalid-fields.exception';
import type { CreateEventTypeDto } from './dto/create-event-type.dto';
import type { ImportEventTypesDto } from './dto/import-event-types.dto';
import type { UpdateEventTypeDto } from './dto/update-event-type.dto';

/** The event-type catalogue: names unique per project, schemas usable before they are stored. */
@Injectable()
export class EventTypesService {
  constructor(
    private readonly eventTypes: EventTypesRepository,
    private readonly schemas: EventDataSchemas,
  ) {}

  async create(projectId: string, input: CreateEventTypeDto): Promise<EventTypeEntity> {
    this.checkSchema(input.json_schema, 'json_schema');
    const created = await this.eventTypes.insert({
      projectId,
      name: input.name,
      description: input.description ?? '',
      category: input.category ?? '',
      jsonSchema: input.json_schema ?? null,
    });
    if (!created) throw InvalidFieldsException.of('name', `event type ${input.name} already exists in this project`);
    this.schemas.forget(projectId);
    return created;
  }

  list(projectId: string): Promise<EventTypeEntity[]> {
    return this.eventTypes.listForProject(projectId);
  }

  async update(projectId: string, id: string, input: UpdateEventTypeDto): Promise<EventTypeEntity> {
    this.checkSchema(input.json_schema, 'json_schema');
    const changes: EventTypeChanges = {};
    if (input.description !== undefined) changes.description = input.description;
    if (input.category !== undefined) changes.category = input.category;
    if (input.json_schema !== undefined) changes.jsonSchema = input.json_schema;
    const updated = await this.eventTypes.applyChanges(projectId, id, changes);
    if (!updated) throw new NotFoundException(`event type ${id} not found`);
    this.schemas.forget(projectId);
    return updated;
  }

  async deprecate(projectId: string, id: string): Promise<EventTypeEntity> {
    const deprecated = await this.eventTypes.deprecate(projectId, id);
    if (!deprecated) throw new NotFoundException(`event type ${id} not found`);
    return deprecated;
  }

  /** Creates or updates one type per webhook of the document, all or nothing. */
  async importOpenApi(projectId: string, input: ImportEventTypesDto): Promise<EventTypeEntity[]> {
    let document: unknown;
    try {
      document = parseYaml(input.spec, { maxAliasCount: 100 });
    } catch (error) {
      throw InvalidFieldsException.of('spec', `is not JSON or YAML: ${(error as Error).message.split('\n')[0]}`);
    }
    const { eventTypes, problems } = webhookEventTypes(document);
    for (const eventType of eventTypes) {
      problems.push(...this.schemaProblems(eventType.jsonSchema, `spec.webhooks.${eventType.name}.requestBody`));
    }
    if (problems.length > 0) throw InvalidFieldsException.fromProblems(problems);
    const imported = await this.eventTypes.upsertMany(projectId, eventTypes);
    this.schemas.forget(projectId);
    return imported;
  }

  private checkSchema(schema: object | null | undefined, field: string): void {
    const problems = this.schemaProblems(schema, field);
    if (problems.length > 0) throw InvalidFieldsException.fromProblems(problems);
  }

  private schemaProblems(schema: object | null | undefined, field: string): string[] {
    if (!schema) return [];
    try {
      this.schemas.compile(schema);
      return [];
    } catch (error) {
      if (error instanceof InvalidEventSchemaError) return [`${field}: ${error.message}`];
      throw error;
    }
  }
}
