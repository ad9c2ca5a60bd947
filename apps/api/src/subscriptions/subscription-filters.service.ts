import { Inject, Injectable, NotFoundException, Optional } from '@nestjs/common';
import {
  CLOCK,
  Clock,
  filterForEventType,
  flattenFilter,
  matchesFilter,
  matchesHeaderFilter,
  systemClock,
  validateFilterExpression,
  type EventHeaders,
} from '@caravan/domain';
import {
  DuplicateFilterEventTypeError,
  NewSubscriptionFilter,
  SubscriptionEntity,
  SubscriptionFilterChanges,
  SubscriptionFilterEntity,
  SubscriptionFiltersRepository,
  SubscriptionsRepository,
} from '@caravan/persistence';
import { InvalidFieldsException } from '../common/invalid-fields.exception';
import type { BulkUpdateFilterDto } from './dto/bulk-update-filter.dto';
import type { CreateFilterDto } from './dto/create-filter.dto';
import type { TestSubscriptionFilterDto } from './dto/test-subscription-filter.dto';
import type { UpdateFilterDto } from './dto/update-filter.dto';

/**
 * A subscription's per-event-type filters: validated and flattened once when saved (the router
 * evaluates the stored flattened form), one per event type, only on the project's own
 * subscriptions.
 */
@Injectable()
export class SubscriptionFiltersService {
  constructor(
    private readonly filters: SubscriptionFiltersRepository,
    private readonly subscriptions: SubscriptionsRepository,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  /** All or nothing; `bulk` names fields by their item (`[2].body`). */
  async create(projectId: string, subscriptionId: string, inputs: readonly CreateFilterDto[], bulk: boolean) {
    await this.subscriptionOf(projectId, subscriptionId);
    const prefix = (i: number) => (bulk ? `[${i}].` : '');
    const rows = inputs.map((input, i) => this.newRow(input, prefix(i)));
    const seen = new Set<string>();
    rows.forEach((row, i) => {
      if (seen.has(row.eventType))
        throw InvalidFieldsException.of(`${prefix(i)}event_type`, `${row.eventType} is given twice`);
      seen.add(row.eventType);
    });
    return this.unlessDuplicate(() => this.filters.insertMany(projectId, subscriptionId, rows));
  }

  async list(projectId: string, subscriptionId: string): Promise<SubscriptionFilterEntity[]> {
    await this.subscriptionOf(projectId, subscriptionId);
    return this.filters.listForSubscription(projectId, subscriptionId);
  }

  async get(projectId: string, subscriptionId: string, id: string): Promise<SubscriptionFilterEntity> {
    await this.subscriptionOf(projectId, subscriptionId);
    const filter = await this.filters.findById(projectId, subscriptionId, id);
    if (!filter) throw new NotFoundException(`filter ${id} not found`);
    return filter;
  }

  async update(projectId: string, subscriptionId: string, id: string, input: UpdateFilterDto) {
    const [updated] = await this.updateMany(projectId, subscriptionId, [{ ...input, uid: id }], '');
    return updated as SubscriptionFilterEntity;
  }

  /** All or nothing; 404 when an id is not a filter of this subscription. */
  async updateMany(
    projectId: string,
    subscriptionId: string,
    inputs: readonly BulkUpdateFilterDto[],
    prefix: string | null = null,
  ): Promise<SubscriptionFilterEntity[]> {
    await this.subscriptionOf(projectId, subscriptionId);
    const changes = inputs.map((input, i) => ({ id: input.uid, changes: this.changes(input, prefix ?? `[${i}].`) }));
    const updated = await this.unlessDuplicate(() => this.filters.applyChanges(projectId, subscriptionId, changes));
    if (!updated) throw new NotFoundException('filter not found in this subscription');
    return updated;
  }

  async remove(projectId: string, subscriptionId: string, id: string): Promise<void> {
    await this.subscriptionOf(projectId, subscriptionId);
    if (!(await this.filters.delete(projectId, subscriptionId, id)))
      throw new NotFoundException(`filter ${id} not found`);
  }

  /**
   * Does a sample request pass the filter the router would apply to an event of `eventType`
   * (the type's filter, else the `*` filter, else the subscription's own)?
   */
  async test(projectId: string, subscriptionId: string, eventType: string, input: TestSubscriptionFilterDto) {
    const subscription = await this.subscriptionOf(projectId, subscriptionId);
    const enabled = (await this.filters.listForSubscription(projectId, subscriptionId)).filter(
      (filter) => filter.enabledAt !== null && filter.enabledAt.getTime() <= this.clock.now(),
    );
    const chosen = filterForEventType(eventType, enabled);
    const body = chosen ? chosen.body : subscription.filterBody;
    const headers = chosen ? chosen.headers : subscription.filterHeaders;
    const payload = input.payload !== undefined ? input.payload : input.request?.body;
    return (
      matchesFilter(body, payload) &&
      matchesHeaderFilter(headers, sampleHeaders(input.request?.headers ?? input.request?.header))
    );
  }

  private newRow(input: CreateFilterDto, prefix: string): NewSubscriptionFilter {
    const rawBody = input.body ?? {};
    const rawHeaders = input.headers ?? {};
    this.check(rawBody, rawHeaders, prefix);
    const enabledAt = this.enabledAt(input.enabled_at, prefix);
    return {
      eventType: input.event_type,
      rawBody,
      rawHeaders,
      body: flattenFilter(rawBody),
      headers: flattenFilter(rawHeaders),
      enabledAt: enabledAt === undefined ? new Date(this.clock.now()) : enabledAt,
    };
  }

  private changes(input: UpdateFilterDto, prefix: string): SubscriptionFilterChanges {
    this.check(input.body, input.headers, prefix);
    const changes: SubscriptionFilterChanges = {};
    if (input.event_type) changes.eventType = input.event_type;
    if (input.body) Object.assign(changes, { rawBody: input.body, body: flattenFilter(input.body) });
    if (input.headers) Object.assign(changes, { rawHeaders: input.headers, headers: flattenFilter(input.headers) });
    const enabledAt = this.enabledAt(input.enabled_at, prefix);
    if (enabledAt !== undefined) changes.enabledAt = enabledAt;
    return changes;
  }

  private check(body: unknown, headers: unknown, prefix: string): void {
    const problems = [
      ...validateFilterExpression(body, `${prefix}body`),
      ...validateFilterExpression(headers, `${prefix}headers`),
    ];
    if (problems.length > 0) throw InvalidFieldsException.fromProblems(problems);
  }

  /** undefined: not given ("" included); null: off; else the date, refused unless RFC 3339. */
  private enabledAt(value: string | null | undefined, prefix: string): Date | null | undefined {
    if (value === undefined || value === '') return undefined;
    if (value === null) return null;
    const date = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)
      ? new Date(value)
      : null;
    if (!date || Number.isNaN(date.getTime())) {
      throw InvalidFieldsException.of(`${prefix}enabled_at`, 'must be an RFC 3339 date-time or null');
    }
    return date;
  }

  private async unlessDuplicate<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DuplicateFilterEventTypeError) {
        throw InvalidFieldsException.of('event_type', `the subscription already has a filter for ${error.eventType}`);
      }
      throw error;
    }
  }

  private async subscriptionOf(projectId: string, id: string): Promise<SubscriptionEntity> {
    const subscription = await this.subscriptions.findById(projectId, id);
    if (!subscription) throw new NotFoundException(`subscription ${id} not found`);
    return subscription;
  }
}

/** Sample headers as the matcher takes them: strings, or arrays of strings; anything else as text. */
function sampleHeaders(headers: Record<string, unknown> | undefined): EventHeaders {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    out[name] = values
      .filter((item) => item !== null && item !== undefined)
      .map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
  }
  return out;
}
