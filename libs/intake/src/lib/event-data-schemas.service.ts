import { Injectable } from '@nestjs/common';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { LRUCache } from 'lru-cache';
import { RE2JS } from 're2js';
import { EventTypesRepository, ProjectEntity } from '@caravan/persistence';
import { EventRejectedError } from './event-rejected.error';
import { PROJECT_CACHE_TTL_MS } from './project-directory.service';

/** Largest JSON Schema accepted for an event type, as JSON text. */
export const MAX_EVENT_SCHEMA_BYTES = 64 * 1024;
/** Failing paths named in one refusal; the rest are counted. */
const MAX_REPORTED_ERRORS = 10;

/** A tenant's schema that cannot be used: the message says why. */
export class InvalidEventSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventSchemaError';
  }
}

/**
 * `pattern` and `patternProperties` run on RE2 (linear time), not JavaScript's backtracking
 * RegExp: a tenant's schema must not be able to stall the process with a pattern.
 */
function re2(pattern: string): { test(input: string): boolean } {
  const compiled = RE2JS.compile(pattern);
  return { test: (input: string) => compiled.matcher(input).find() };
}
re2.code = 'RE2JS.compile';

/** `data/amount must be number`, Ajv's error with the failing path in Convoy's field style. */
export function describeSchemaErrors(errors: readonly ErrorObject[]): string[] {
  return errors.map((error) => {
    const missing = error.keyword === 'required' ? `/${String(error.params['missingProperty'])}` : '';
    return `data${error.instancePath}${missing} ${error.message ?? 'is invalid'}`;
  });
}

/**
 * Event types' JSON Schemas, compiled once per distinct schema and cached (Ajv compiles to a
 * function; compiling costs milliseconds, validating microseconds), and the intake's check of
 * an event's `data` against its type's schema when the project asks for it.
 */
@Injectable()
export class EventDataSchemas {
  private readonly ajv = addFormats(
    new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, code: { regExp: re2 } }),
  );
  private readonly compiled = new LRUCache<string, ValidateFunction>({ max: 2_000 });
  /** (project, type) → its schema's cache key, or null when the type has no schema. */
  private readonly byType = new LRUCache<string, { key: string | null; schema: object | null }>({
    max: 50_000,
    ttl: PROJECT_CACHE_TTL_MS,
  });

  constructor(private readonly eventTypes: EventTypesRepository) {}

  /** The compiled validator; InvalidEventSchemaError when the schema is not usable. */
  compile(schema: object): ValidateFunction {
    const key = JSON.stringify(schema);
    return this.compiled.get(key) ?? this.compileKeyed(key, schema);
  }

  /**
   * Refuses (400, naming the failing paths) an event whose data fails its catalogued type's
   * schema, when the project's `validate_event_data` is on. Data that is not JSON is refused too.
   */
  async check(project: ProjectEntity, eventType: string, raw: Buffer): Promise<void> {
    if (!project.config.validate_event_data) return;
    const cacheKey = `${project.id}\u0000${eventType}`;
    let entry = this.byType.get(cacheKey);
    if (!entry) {
      const found = await this.eventTypes.findByName(project.id, eventType);
      entry = { key: found?.jsonSchema ? JSON.stringify(found.jsonSchema) : null, schema: found?.jsonSchema ?? null };
      this.byType.set(cacheKey, entry);
    }
    if (!entry.key || !entry.schema) return;
    let validate: ValidateFunction;
    try {
      validate = this.compiled.get(entry.key) ?? this.compileKeyed(entry.key, entry.schema);
    } catch {
      return; // stored schemas were compiled when saved; one that no longer compiles validates nothing
    }
    let data: unknown;
    try {
      data = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new EventRejectedError('invalid', 'data: must be JSON to be validated', 'data');
    }
    if (validate(data)) return;
    const problems = describeSchemaErrors(validate.errors ?? []);
    const shown = problems.slice(0, MAX_REPORTED_ERRORS);
    const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
    throw new EventRejectedError(
      'invalid',
      `data does not match event type ${eventType}'s schema: ${shown.join('; ')}${more}`,
      'data',
    );
  }

  /** Drops what this process knows of a project's types (after a change through its api). */
  forget(projectId: string): void {
    for (const key of this.byType.keys()) if (key.startsWith(`${projectId}\u0000`)) this.byType.delete(key);
  }

  private compileKeyed(key: string, schema: object): ValidateFunction {
    if (Buffer.byteLength(key) > MAX_EVENT_SCHEMA_BYTES) {
      throw new InvalidEventSchemaError(`is over ${MAX_EVENT_SCHEMA_BYTES} bytes`);
    }
    let validate: ValidateFunction;
    try {
      validate = this.ajv.compile(schema);
    } catch (error) {
      throw new InvalidEventSchemaError(`is not a valid JSON Schema: ${(error as Error).message}`.slice(0, 500));
    } finally {
      // Ajv keeps every compiled schema by its $id; tenants' ids must not collide or pile up.
      this.ajv.removeSchema(schema);
    }
    this.compiled.set(key, validate);
    return validate;
  }
}
