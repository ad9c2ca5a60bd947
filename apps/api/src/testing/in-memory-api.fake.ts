import { DeliveryStatus, EndpointStatus, ManualClock, newId } from '@caravan/domain';
import type { DoorbellRinger } from '@caravan/messaging';
import {
  ApiKeyEntity,
  ApiKeysRepository,
  DeliveryRef,
  EndpointEntity,
  EndpointsRepository,
  EventDeliveriesRepository,
  EventDeliveryEntity,
  EventDeliveryFilter,
  NewApiKey,
  NewPortalLink,
  PortalLinkChanges,
  PortalLinkEntity,
  PortalLinksRepository,
} from '@caravan/persistence';

export { asRepository } from '@caravan/testing';

/**
 * In-memory stand-ins for the repositories the api's services call, for unit tests of their
 * rules. Each implements the methods used with the repository's own signatures
 * (`Pick<Repository, ...>`, checked by the compiler) and the semantics its SQL documents,
 * every query scoped by project. Time is the test's `ManualClock`.
 */
export class ApiStore {
  readonly apiKeys = new Map<string, ApiKeyEntity>();
  readonly endpoints = new Map<string, EndpointEntity>();
  readonly links = new Map<string, PortalLinkEntity>();
  readonly deliveries = new Map<string, EventDeliveryEntity>();
  readonly rung: Array<{ delivery_id: string }> = [];

  constructor(readonly clock: ManualClock) {}

  now(): Date {
    return new Date(this.clock.now());
  }
}

export class InMemoryApiKeys implements Pick<ApiKeysRepository, 'insert' | 'listForProject' | 'revoke'> {
  constructor(private readonly store: ApiStore) {}

  async insert(key: NewApiKey): Promise<ApiKeyEntity> {
    const row = Object.assign(new ApiKeyEntity(), {
      id: newId(),
      role: 'admin',
      keyType: 'project',
      expiresAt: null,
      revokedAt: null,
      lastUsedAt: null,
      createdAt: this.store.now(),
      updatedAt: this.store.now(),
      ...key,
    });
    this.store.apiKeys.set(row.id, row);
    return row;
  }

  async listForProject(projectId: string): Promise<ApiKeyEntity[]> {
    return [...this.store.apiKeys.values()].filter((k) => k.projectId === projectId);
  }

  async revoke(projectId: string, id: string): Promise<boolean> {
    const key = this.store.apiKeys.get(id);
    if (key?.projectId !== projectId || key.revokedAt) return false;
    key.revokedAt = this.store.now();
    return true;
  }
}

export class InMemoryApiEndpoints implements Pick<EndpointsRepository, 'findById' | 'findByIds' | 'findByOwner'> {
  constructor(private readonly store: ApiStore) {}

  async findById(projectId: string, id: string): Promise<EndpointEntity | null> {
    const endpoint = this.store.endpoints.get(id);
    return endpoint?.projectId === projectId && !endpoint.deletedAt ? endpoint : null;
  }

  async findByIds(projectId: string, ids: readonly string[]): Promise<EndpointEntity[]> {
    return (await Promise.all(ids.map((id) => this.findById(projectId, id)))).flatMap((e) => (e ? [e] : []));
  }

  async findByOwner(projectId: string, ownerId: string): Promise<EndpointEntity[]> {
    return [...this.store.endpoints.values()].filter(
      (e) => e.projectId === projectId && e.ownerId === ownerId && !e.deletedAt,
    );
  }
}

export class InMemoryPortalLinks implements Pick<
  PortalLinksRepository,
  'insert' | 'findById' | 'update' | 'replaceToken' | 'revoke'
> {
  constructor(private readonly store: ApiStore) {}

  async insert(link: NewPortalLink): Promise<PortalLinkEntity> {
    const row = Object.assign(new PortalLinkEntity(), {
      id: newId(),
      ownerId: null,
      endpointIds: [],
      canManageEndpoint: false,
      authType: 'static_token',
      createdAt: this.store.now(),
      updatedAt: this.store.now(),
      deletedAt: null,
      ...link,
    });
    this.store.links.set(row.id, row);
    return row;
  }

  async findById(projectId: string, id: string): Promise<PortalLinkEntity | null> {
    const link = this.store.links.get(id);
    return link?.projectId === projectId && !link.deletedAt ? link : null;
  }

  async update(projectId: string, id: string, changes: PortalLinkChanges): Promise<PortalLinkEntity | null> {
    const link = await this.findById(projectId, id);
    return link ? Object.assign(link, changes, { updatedAt: this.store.now() }) : null;
  }

  async replaceToken(projectId: string, id: string, tokenHash: string): Promise<boolean> {
    const link = await this.findById(projectId, id);
    if (link) link.tokenHash = tokenHash;
    return link !== null;
  }

  async revoke(projectId: string, id: string): Promise<boolean> {
    const link = await this.findById(projectId, id);
    if (link) link.deletedAt = this.store.now();
    return link !== null;
  }
}

export class InMemoryApiDeliveries implements Pick<
  EventDeliveriesRepository,
  'findById' | 'requeue' | 'requeueMatching'
> {
  constructor(private readonly store: ApiStore) {}

  async findById(projectId: string, id: string): Promise<EventDeliveryEntity | null> {
    const delivery = this.store.deliveries.get(id);
    return delivery?.projectId === projectId && !delivery.deletedAt ? delivery : null;
  }

  async requeue(
    projectId: string,
    ids: readonly string[],
    fromStatuses: readonly DeliveryStatus[],
    description: string,
  ): Promise<DeliveryRef[]> {
    const rows = (await Promise.all(ids.map((id) => this.findById(projectId, id)))).flatMap((d) => (d ? [d] : []));
    return this.move(rows, fromStatuses, description);
  }

  async requeueMatching(
    projectId: string,
    filter: EventDeliveryFilter,
    fromStatuses: readonly DeliveryStatus[],
    description: string,
  ): Promise<{ matched: number; requeued: DeliveryRef[] }> {
    const statuses = filter.statuses?.length ? fromStatuses.filter((s) => filter.statuses?.includes(s)) : fromStatuses;
    const matching = [...this.store.deliveries.values()].filter(
      (d) =>
        d.projectId === projectId &&
        !d.deletedAt &&
        statuses.includes(d.status) &&
        (!filter.endpointIds?.length || filter.endpointIds.includes(d.endpointId)) &&
        (!filter.eventId || filter.eventId === d.eventId),
    );
    return { matched: matching.length, requeued: this.move(matching, statuses, description) };
  }

  /** Rows in `fromStatuses` whose endpoint is live and active become Scheduled, due now. */
  private move(
    rows: EventDeliveryEntity[],
    fromStatuses: readonly DeliveryStatus[],
    description: string,
  ): DeliveryRef[] {
    const moved: DeliveryRef[] = [];
    for (const row of rows) {
      const endpoint = this.store.endpoints.get(row.endpointId);
      if (!fromStatuses.includes(row.status) || endpoint?.status !== EndpointStatus.Active || endpoint.deletedAt) {
        continue;
      }
      Object.assign(row, { status: DeliveryStatus.Scheduled, description, nextSendTime: this.store.now() });
      moved.push({ id: row.id, projectId: row.projectId, endpointId: row.endpointId });
    }
    return moved;
  }
}

/** Records the delivery doorbells the api rings after its commits (the only kind it rings here). */
export class RecordingApiRinger implements Pick<DoorbellRinger, 'afterCommit'> {
  constructor(private readonly store: ApiStore) {}

  async afterCommit(bells: Parameters<DoorbellRinger['afterCommit']>[0]): Promise<void> {
    for (const bell of bells) if (!('event_id' in bell)) this.store.rung.push(bell);
  }
}
