import { Injectable, NotFoundException } from '@nestjs/common';
import {
  CATCH_ALL_EVENT_TYPE,
  DeliveryMode,
  matchesFilter,
  matchesHeaderFilter,
  validateFilterConfig,
  validateFilterExpression,
} from '@caravan/domain';
import {
  EndpointEntity,
  EndpointsRepository,
  Page,
  PageQuery,
  SourcesRepository,
  SubscriptionEntity,
  SubscriptionsRepository,
} from '@caravan/persistence';
import { InvalidFieldsException } from '../common/invalid-fields.exception';
import type { CreateSubscriptionDto } from './dto/create-subscription.dto';
import type { FilterConfigDto } from './dto/filter-config.dto';
import type { TestFilterDto } from './dto/test-filter.dto';
import type { UpdateSubscriptionDto } from './dto/update-subscription.dto';

/** A subscription with the endpoint it delivers to (for `endpoint_metadata`). */
export interface SubscriptionView {
  subscription: SubscriptionEntity;
  endpoint: EndpointEntity | undefined;
}

type SubscriptionChanges = Parameters<SubscriptionsRepository['applyChanges']>[2];

/** Subscription rules: links only within the project, filters valid before they are stored. */
@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly subscriptions: SubscriptionsRepository,
    private readonly endpoints: EndpointsRepository,
    private readonly sources: SourcesRepository,
  ) {}

  async create(projectId: string, input: CreateSubscriptionDto): Promise<SubscriptionView> {
    const filter = this.filterOf(input.filter_config);
    const endpoint = await this.endpointOf(projectId, input.endpoint_id);
    const sourceId = await this.sourceIdOf(projectId, input.source_id);
    const subscription = await this.subscriptions.insert({
      projectId,
      name: input.name,
      endpointId: endpoint.id,
      sourceId,
      deliveryMode: input.delivery_mode || DeliveryMode.AtLeastOnce,
      function: input.function || null,
      ...filter,
    });
    return { subscription, endpoint };
  }

  /**
   * The filter columns of a subscription with `config`, validated (an InvalidFieldsException
   * names each bad part); event types default to `*`. Bulk onboarding uses it too.
   */
  filterOf(config: FilterConfigDto | undefined): ReturnType<SubscriptionsService['filterColumns']> {
    this.checkFilterConfig(config);
    return this.filterColumns(config);
  }

  async get(projectId: string, id: string): Promise<SubscriptionView> {
    const subscription = await this.subscriptions.findById(projectId, id);
    if (!subscription) throw new NotFoundException(`subscription ${id} not found`);
    return { subscription, endpoint: (await this.endpoints.findById(projectId, subscription.endpointId)) ?? undefined };
  }

  async list(
    projectId: string,
    filter: { endpointIds?: string[]; name?: string },
    page: PageQuery,
  ): Promise<Page<SubscriptionView>> {
    const { content, pagination } = await this.subscriptions.listMatching(projectId, filter, page);
    const endpoints = await this.endpoints.findByIds(projectId, [...new Set(content.map((s) => s.endpointId))]);
    const byId = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
    return {
      content: content.map((subscription) => ({ subscription, endpoint: byId.get(subscription.endpointId) })),
      pagination,
    };
  }

  async update(projectId: string, id: string, input: UpdateSubscriptionDto): Promise<SubscriptionView> {
    await this.get(projectId, id);
    this.checkFilterConfig(input.filter_config);
    const changes: SubscriptionChanges = { name: input.name, deliveryMode: input.delivery_mode || undefined };
    if (input.function !== undefined) changes.function = input.function || null;
    if (input.endpoint_id !== undefined) changes.endpointId = (await this.endpointOf(projectId, input.endpoint_id)).id;
    if (input.source_id !== undefined) changes.sourceId = await this.sourceIdOf(projectId, input.source_id);
    if (input.filter_config !== undefined) Object.assign(changes, this.filterColumns(input.filter_config));
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    const updated = await this.subscriptions.applyChanges(projectId, id, defined);
    if (!updated) throw new NotFoundException(`subscription ${id} not found`);
    return {
      subscription: updated,
      endpoint: (await this.endpoints.findById(projectId, updated.endpointId)) ?? undefined,
    };
  }

  async remove(projectId: string, id: string): Promise<void> {
    if (!(await this.subscriptions.softDelete(projectId, id))) {
      throw new NotFoundException(`subscription ${id} not found`);
    }
  }

  /** Convoy's filter tester: does `schema` (body and header filters) match `request`? */
  testFilter(input: TestFilterDto): boolean {
    const problems = [
      ...validateFilterExpression(input.schema.body, 'schema.body'),
      ...validateFilterExpression(input.schema.header, 'schema.header'),
    ];
    if (problems.length > 0) throw InvalidFieldsException.fromProblems(problems);
    return (
      matchesFilter(input.schema.body, input.request.body) &&
      matchesHeaderFilter(input.schema.header, input.request.header)
    );
  }

  private checkFilterConfig(config: FilterConfigDto | undefined): void {
    const problems = validateFilterConfig(config);
    if (problems.length > 0) throw InvalidFieldsException.fromProblems(problems);
  }

  /** Event types default to `*` (an empty list too: the router matches on the column). */
  private filterColumns(config: FilterConfigDto | undefined) {
    const eventTypes = [...new Set(config?.event_types ?? [])];
    return {
      eventTypes: eventTypes.length > 0 ? eventTypes : [CATCH_ALL_EVENT_TYPE],
      filterBody: config?.filter?.body ?? {},
      filterHeaders: config?.filter?.headers ?? {},
    };
  }

  /** The endpoint, only if it is this project's: another project's id is refused like an unknown one. */
  private async endpointOf(projectId: string, endpointId: string): Promise<EndpointEntity> {
    const endpoint = await this.endpoints.findById(projectId, endpointId);
    if (!endpoint) throw InvalidFieldsException.of('endpoint_id', `no endpoint ${endpointId} in this project`);
    return endpoint;
  }

  /** The source id, only if it is this project's; "" means none. */
  private async sourceIdOf(projectId: string, sourceId: string | undefined): Promise<string | null> {
    if (!sourceId) return null;
    if (!(await this.sources.findById(projectId, sourceId))) {
      throw InvalidFieldsException.of('source_id', `no source ${sourceId} in this project`);
    }
    return sourceId;
  }
}
