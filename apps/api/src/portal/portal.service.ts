import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import type { DeliveryStatus } from '@caravan/domain';
import {
  EndpointEntity,
  EventEntity,
  normalizePageQuery,
  Page,
  PageQuery,
  PortalLinksRepository,
} from '@caravan/persistence';
import { EndpointsService } from '../endpoints/endpoints.service';
import type { ExpireSecretDto } from '../endpoints/dto/expire-secret.dto';
import { DeliveryWithContext, EventDeliveriesService } from '../event-deliveries/event-deliveries.service';
import type { EventFilterQueryDto } from '../events/dto/event-query.dto';
import { EventsService } from '../events/events.service';
import { PortalLinksService } from '../portal-links/portal-links.service';
import type { CreatePortalEndpointDto, UpdatePortalEndpointDto } from './dto/portal-endpoint.dto';
import type { PortalScope } from './portal-scope';

/**
 * The customer portal: the project's own endpoint and delivery rules, each call first
 * narrowed to the endpoints the link covers. Anything outside is "not found", exactly as an
 * id that does not exist, so a customer cannot even learn that another owner's id is real.
 */
@Injectable()
export class PortalService {
  constructor(
    private readonly links: PortalLinksService,
    private readonly linkRows: PortalLinksRepository,
    private readonly endpoints: EndpointsService,
    private readonly deliveries: EventDeliveriesService,
    private readonly events: EventsService,
  ) {}

  async endpointIds({ link }: PortalScope): Promise<string[]> {
    return (await this.links.endpointsOf(link)).map((endpoint) => endpoint.id);
  }

  async listEndpoints(scope: PortalScope, page: PageQuery): Promise<Page<EndpointEntity>> {
    return this.endpoints.list(scope.link.projectId, { ids: await this.endpointIds(scope) }, page);
  }

  async getEndpoint(scope: PortalScope, id: string): Promise<EndpointEntity> {
    await this.assertEndpoint(scope, id);
    return this.endpoints.get(scope.link.projectId, id);
  }

  async createEndpoint(scope: PortalScope, input: CreatePortalEndpointDto): Promise<EndpointEntity> {
    this.assertCanManage(scope);
    const { link } = scope;
    const endpoint = await this.endpoints.create(link.projectId, { ...input, owner_id: link.ownerId ?? undefined });
    // A link without an owner covers listed endpoints only: list the new one.
    if (!link.ownerId) {
      await this.linkRows.update(link.projectId, link.id, { endpointIds: [...link.endpointIds, endpoint.id] });
    }
    return endpoint;
  }

  async updateEndpoint(scope: PortalScope, id: string, input: UpdatePortalEndpointDto): Promise<EndpointEntity> {
    this.assertCanManage(scope);
    await this.assertEndpoint(scope, id);
    return this.endpoints.update(scope.link.projectId, id, input);
  }

  async expireSecret(scope: PortalScope, id: string, input: ExpireSecretDto): Promise<EndpointEntity> {
    this.assertCanManage(scope);
    await this.assertEndpoint(scope, id);
    return this.endpoints.expireSecret(scope.link.projectId, id, input);
  }

  async togglePause(scope: PortalScope, id: string): Promise<EndpointEntity> {
    this.assertCanManage(scope);
    await this.assertEndpoint(scope, id);
    return this.endpoints.togglePause(scope.link.projectId, id);
  }

  async activate(scope: PortalScope, id: string): Promise<EndpointEntity> {
    this.assertCanManage(scope);
    await this.assertEndpoint(scope, id);
    return this.endpoints.activate(scope.link.projectId, id);
  }

  /** Deliveries to the link's endpoints; an endpointId filter can only narrow that. */
  async listDeliveries(
    scope: PortalScope,
    filter: { endpointId?: string[]; eventId?: string; status?: DeliveryStatus[]; eventType?: string },
    page: PageQuery,
  ): Promise<Page<DeliveryWithContext>> {
    const endpointIds = narrow(await this.endpointIds(scope), filter.endpointId);
    if (endpointIds.length === 0) {
      // An empty endpoint list is "no filter" to the repository: answer the empty page here.
      return { content: [], pagination: emptyPagination(page) };
    }
    return this.deliveries.list(scope.link.projectId, { ...filter, endpointId: endpointIds }, page);
  }

  /**
   * Events sent to the link's endpoints (an event's endpoints are those it was routed to), each
   * with only those of its endpoints the link covers; an endpointId filter can only narrow that.
   */
  async listEvents(
    scope: PortalScope,
    filter: Omit<EventFilterQueryDto, 'sourceId' | 'sourceId[]' | 'ownerId' | 'endpointId[]'>,
    page: PageQuery,
  ): Promise<Page<PortalEvent>> {
    const allowed = await this.endpointIds(scope);
    const endpointIds = narrow(allowed, filter.endpointId);
    if (endpointIds.length === 0) return { content: [], pagination: emptyPagination(page) };
    const found = await this.events.list(scope.link.projectId, { ...filter, endpointId: endpointIds }, page);
    return { content: await this.withEndpoints(scope, allowed, found.content), pagination: found.pagination };
  }

  /** An event of another owner is "not found", like one that does not exist. */
  async getEvent(scope: PortalScope, id: string): Promise<PortalEvent> {
    const allowed = await this.endpointIds(scope);
    const event = await this.events.get(scope.link.projectId, id);
    if (!event.endpointIds.some((endpointId) => allowed.includes(endpointId))) {
      throw new NotFoundException(`event ${id} not found`);
    }
    const [shown] = await this.withEndpoints(scope, allowed, [event]);
    return shown;
  }

  /** The events' endpoints the link covers; the project's other endpoints and sources stay hidden. */
  private async withEndpoints(scope: PortalScope, allowed: string[], events: EventEntity[]): Promise<PortalEvent[]> {
    const covered = new Set(allowed);
    const withContext = await this.events.withContext(scope.link.projectId, events);
    return withContext.map(({ event, endpoints }) => ({
      event,
      endpointIds: event.endpointIds.filter((endpointId) => covered.has(endpointId)),
      endpoints: (endpoints ?? []).filter((endpoint) => covered.has(endpoint.id)),
    }));
  }

  async getDelivery(scope: PortalScope, id: string): Promise<DeliveryWithContext> {
    const found = await this.deliveries.get(scope.link.projectId, id);
    await this.assertEndpoint(scope, found.delivery.endpointId, `event delivery ${id} not found`);
    return found;
  }

  async listAttempts(scope: PortalScope, id: string) {
    await this.getDelivery(scope, id);
    return this.deliveries.listAttempts(scope.link.projectId, id);
  }

  async resend(scope: PortalScope, id: string): Promise<DeliveryWithContext> {
    await this.getDelivery(scope, id);
    return this.deliveries.resend(scope.link.projectId, id);
  }

  /** Ids outside the link count as failures, like ids that do not exist. */
  async forceResend(scope: PortalScope, ids: string[]) {
    const allowed = new Set(await this.endpointIds(scope));
    const unique = [...new Set(ids)];
    const mine: string[] = [];
    for (const id of unique) {
      const found = await this.deliveries.get(scope.link.projectId, id).catch(() => null);
      if (found && allowed.has(found.delivery.endpointId)) mine.push(id);
    }
    const counts = mine.length > 0 ? await this.deliveries.forceResend(scope.link.projectId, mine) : { num_success: 0 };
    return { num_success: counts.num_success, num_failure: unique.length - counts.num_success };
  }

  private async assertEndpoint(scope: PortalScope, id: string, message = `endpoint ${id} not found`): Promise<void> {
    if (!(await this.endpointIds(scope)).includes(id)) throw new NotFoundException(message);
  }

  private assertCanManage({ link }: PortalScope): void {
    if (!link.canManageEndpoint) throw new ForbiddenException('this portal link cannot manage endpoints');
  }
}

/** An event as a portal shows it: only the endpoints of the link. */
export interface PortalEvent {
  event: EventEntity;
  endpointIds: string[];
  endpoints: EndpointEntity[];
}

/** The allowed ids, narrowed by a filter when one is given (never widened by it). */
function narrow(allowed: string[], wanted: string[] | undefined): string[] {
  return wanted?.length ? allowed.filter((id) => wanted.includes(id)) : allowed;
}

function emptyPagination(page: PageQuery) {
  return {
    per_page: normalizePageQuery(page).perPage,
    has_next_page: false,
    has_prev_page: false,
    next_page_cursor: '',
    prev_page_cursor: '',
  };
}
