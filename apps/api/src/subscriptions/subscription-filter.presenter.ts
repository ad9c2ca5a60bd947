import { ApiProperty } from '@nestjs/swagger';
import type { SubscriptionFilterEntity } from '@caravan/persistence';

/** Convoy's `models.FilterResponse` (`body`/`headers` flattened, `raw_*` as sent). */
export class FilterResponse {
  @ApiProperty() uid!: string;
  @ApiProperty() subscription_id!: string;
  @ApiProperty() event_type!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) body!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) headers!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) path!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) query!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) raw_body!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) raw_headers!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) raw_path!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) raw_query!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) enabled_at!: string | null;
}

/** Convoy's `models.TestFilterResponse`. */
export class TestFilterResponse {
  @ApiProperty() is_match!: boolean;
}

export function presentFilter(filter: SubscriptionFilterEntity): FilterResponse {
  return {
    uid: filter.id,
    subscription_id: filter.subscriptionId,
    event_type: filter.eventType,
    body: filter.body,
    headers: filter.headers,
    path: {},
    query: {},
    raw_body: filter.rawBody,
    raw_headers: filter.rawHeaders,
    raw_path: {},
    raw_query: {},
    enabled_at: filter.enabledAt ? filter.enabledAt.toISOString() : null,
  };
}
