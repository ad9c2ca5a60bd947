import { ApiProperty } from '@nestjs/swagger';
import type { EventTypeEntity } from '@caravan/persistence';

/** Convoy's `models.EventTypeResponse`. */
export class EventTypeResponse {
  @ApiProperty() uid!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty() category!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  json_schema!: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true }) deprecated_at!: string | null;
}

export function presentEventType(eventType: EventTypeEntity): EventTypeResponse {
  return {
    uid: eventType.id,
    name: eventType.name,
    description: eventType.description,
    category: eventType.category,
    json_schema: eventType.jsonSchema,
    deprecated_at: eventType.deprecatedAt ? eventType.deprecatedAt.toISOString() : null,
  };
}
