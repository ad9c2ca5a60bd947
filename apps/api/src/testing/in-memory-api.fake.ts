import {
  CATCH_ALL_EVENT_TYPE,
  DeliveryStatus,
  EndpointSecret,
  EndpointStatus,
  EventStatus,
  ManualClock,
  MetaEventType,
  newId,
} from '@caravan/domain';
import type { MetaEventPublisher } from '@caravan/meta-events';
import type { DoorbellRinger } from '@caravan/messaging';
import {
  AcceptedEvent,
  ApiKeyEntity,
  ApiKeysRepository,
  DeliveryRef,
  DuplicateFilterEventTypeError,
  EndpointEntity,
  EndpointsRepository,
  EventDeliveriesRepository,
  EventDeliveryEntity,
  EventDeliveryFilter,
  EventEntity,
  EventSearchFilter,
  EventsRepository,
  EventTypeEntity,
  EventTypesRepository,
  NewApiKey,
  NewEndpoint,
  NewEvent,
  NewPortalLink,
  NewSource,
  NewSubscription,
  NewSubscriptionFilter,
  Page,
  PortalLinkChanges,
  PortalLinkEntity,
  PortalLinksRepository,
  ProjectEntity,
  ProjectsRepository,
  SourceEntity,
  SourcesRepository,
  SubscriptionEntity,
  SubscriptionFilterChanges,
  SubscriptionFilterEntity,
  SubscriptionFiltersRepository,
  SubscriptionsRepository,
} from '@caravan/persistence';
import { anEndpoint, aSource, aSubscription, aUniqueViolation } from '@caravan/testing';

export { asRepository } from '@caravan/testing';

/**
 * In-memory stand-ins for the repositories the api's services call, for unit tests of their
 * rules. Each implements the methods used with the repository's own signatures
 * (`Pick<Repository, ...>`, checked by the compiler) and the semantics its SQL documents,
 * every query scoped by project. Time is the test's `ManualClock`.
 */
export class ApiStore {
  readonly projects = new Map<string, ProjectEntity>();
  readonly apiKeys = new Map<string, ApiKeyEntity>();
  readonly endpoints = new Map<string, EndpointEntity>();
  readonly subscriptions = new Map<string, SubscriptionEntity>();
  readonly filters = new Map<string, SubscriptionFilterEntity>();
  readonly sources = new Map<string, SourceEntity>();
  readonly events = new Map<string, EventEntity>();
  readonly eventTypes = new Map<string, EventTypeEntity>();
  readonly links = new Map<string, PortalLinkEntity>();
  readonly deliveries = new Map<string, EventDeliveryEntity>();
  /** Delivery doorbells rung after a commit. */
  readonly rung: Array<{ delivery_id: string }> = [];
  /** Event doorbells rung after a commit. */
  readonly rungEvents: Array<{ project_id: string; event_id: string }> = [];
  /** Meta events published, in order. */
  readonly metaEvents: Array<{ projectId: string; type: MetaEventType; data: Record<string, unknown> }> = [];

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

export class InMemoryApiEndpoints implements Pick<
  EndpointsRepository,
  | 'findById'
  | 'findByIds'
  | 'findByOwner'
  | 'insert'
  | 'ensureForUrl'
  | 'applyChanges'
  | 'rotateSecret'
  | 'transitionStatus'
  | 'softDeleteWithSubscriptions'
> {
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

  async insert(endpoint: NewEndpoint): Promise<EndpointEntity> {
    const row = anEndpoint(
      { id: endpoint.projectId },
      { secrets: [], createdAt: this.store.now(), updatedAt: this.store.now(), ...columnsGiven(endpoint) },
    );
    this.store.endpoints.set(row.id, row);
    return row;
  }

  /** The live endpoint with the URL or `endpoint` inserted; subscribed to `eventTypes` unless it has a subscription. */
  async ensureForUrl(
    endpoint: NewEndpoint,
    eventTypes: readonly string[],
  ): Promise<{ endpoint: EndpointEntity; created: boolean }> {
    const found = [...this.store.endpoints.values()].find(
      (e) => e.projectId === endpoint.projectId && e.url === endpoint.url && !e.deletedAt,
    );
    const target = found ?? (await this.insert(endpoint));
    const subscribed = [...this.store.subscriptions.values()].some(
      (s) => s.projectId === target.projectId && s.endpointId === target.id && !s.deletedAt,
    );
    if (!subscribed) {
      const subscription = aSubscription(target, {
        name: `${target.name}-dynamic`,
        eventTypes: eventTypes.length > 0 ? [...eventTypes] : [CATCH_ALL_EVENT_TYPE],
        createdAt: this.store.now(),
        updatedAt: this.store.now(),
      });
      this.store.subscriptions.set(subscription.id, subscription);
    }
    return { endpoint: target, created: !found };
  }

  async applyChanges(
    projectId: string,
    id: string,
    changes: Parameters<EndpointsRepository['applyChanges']>[2],
  ): Promise<EndpointEntity | null> {
    const endpoint = await this.findById(projectId, id);
    return endpoint ? Object.assign(endpoint, changes, { updatedAt: this.store.now() }) : null;
  }

  /** Live secrets without an expiry get `expiresAt`, expired ones are dropped, `secret` is appended. */
  async rotateSecret(
    projectId: string,
    id: string,
    secret: EndpointSecret,
    expiresAt: string,
  ): Promise<EndpointEntity | null> {
    const endpoint = await this.findById(projectId, id);
    if (!endpoint) return null;
    const now = this.store.clock.now();
    endpoint.secrets = [
      ...endpoint.secrets
        .filter((s) => s.expires_at === null || Date.parse(s.expires_at) > now)
        .map((s) => (s.expires_at === null ? { ...s, expires_at: expiresAt } : s)),
      secret,
    ];
    endpoint.updatedAt = this.store.now();
    return endpoint;
  }

  async transitionStatus(
    projectId: string,
    id: string,
    from: readonly EndpointEntity['status'][],
    to: EndpointEntity['status'],
  ): Promise<EndpointEntity | null> {
    const endpoint = await this.findById(projectId, id);
    if (!endpoint || !from.includes(endpoint.status)) return null;
    return Object.assign(endpoint, { status: to, updatedAt: this.store.now() });
  }

  async softDeleteWithSubscriptions(projectId: string, id: string): Promise<EndpointEntity | null> {
    const endpoint = await this.findById(projectId, id);
    if (!endpoint) return null;
    endpoint.deletedAt = this.store.now();
    for (const s of this.store.subscriptions.values()) {
      if (s.projectId === projectId && s.endpointId === id && !s.deletedAt) s.deletedAt = this.store.now();
    }
    return endpoint;
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
        (!filter.eventId || filter.eventId === d.eventId) &&
        (!filter.createdFrom || d.createdAt >= filter.createdFrom) &&
        (!filter.createdTo || d.createdAt <= filter.createdTo),
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

/** Records the event and delivery doorbells the api rings after its commits. */
export class RecordingApiRinger implements Pick<DoorbellRinger, 'afterCommit'> {
  constructor(private readonly store: ApiStore) {}

  async afterCommit(bells: Parameters<DoorbellRinger['afterCommit']>[0]): Promise<void> {
    for (const bell of bells) {
      if ('event_id' in bell) this.store.rungEvents.push(bell);
      else if ('delivery_id' in bell) this.store.rung.push(bell);
    }
  }
}

export class InMemoryApiProjects implements Pick<ProjectsRepository, 'findById'> {
  constructor(private readonly store: ApiStore) {}

  async findById(id: string): Promise<ProjectEntity | null> {
    const project = this.store.projects.get(id);
    return project && !project.deletedAt ? project : null;
  }
}

/** The columns an insert sets: an undefined one takes the column's default, as in SQL. */
function columnsGiven<T extends object>(row: T): Partial<T> {
  return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** A page of everything (these services pass pages through untouched). */
function onePage<T>(content: T[]): Page<T> {
  const ids = content.map((row) => (row as { id?: string }).id ?? '');
  return {
    content,
    pagination: {
      per_page: content.length,
      has_next_page: false,
      has_prev_page: false,
      next_page_cursor: ids[ids.length - 1] ?? '',
      prev_page_cursor: ids[0] ?? '',
    },
  };
}

export class InMemoryApiSubscriptions implements Pick<
  SubscriptionsRepository,
  'insert' | 'findById' | 'listMatching' | 'applyChanges' | 'softDelete'
> {
  constructor(private readonly store: ApiStore) {}

  async insert(subscription: NewSubscription): Promise<SubscriptionEntity> {
    const row = aSubscription(
      { id: subscription.endpointId, projectId: subscription.projectId },
      { createdAt: this.store.now(), updatedAt: this.store.now(), ...columnsGiven(subscription) },
    );
    this.store.subscriptions.set(row.id, row);
    return row;
  }

  /** Like the repository's finder, deleted rows are not found. */
  async findById(projectId: string, id: string): Promise<SubscriptionEntity | null> {
    const subscription = this.store.subscriptions.get(id);
    return subscription?.projectId === projectId && !subscription.deletedAt ? subscription : null;
  }

  async listMatching(
    projectId: string,
    filter: { endpointIds?: readonly string[]; name?: string },
  ): Promise<Page<SubscriptionEntity>> {
    return onePage(
      [...this.store.subscriptions.values()].filter(
        (s) =>
          s.projectId === projectId &&
          !s.deletedAt &&
          (!filter.endpointIds?.length || filter.endpointIds.includes(s.endpointId)) &&
          (!filter.name || s.name.toLowerCase().includes(filter.name.toLowerCase())),
      ),
    );
  }

  async applyChanges(
    projectId: string,
    id: string,
    changes: Parameters<SubscriptionsRepository['applyChanges']>[2],
  ): Promise<SubscriptionEntity | null> {
    const subscription = await this.findById(projectId, id);
    return subscription ? Object.assign(subscription, changes, { updatedAt: this.store.now() }) : null;
  }

  async softDelete(projectId: string, id: string): Promise<boolean> {
    const subscription = await this.findById(projectId, id);
    if (subscription) subscription.deletedAt = this.store.now();
    return subscription !== null;
  }
}

/** One filter per (subscription, event type), as the unique index keeps it; writes all or nothing. */
export class InMemoryApiSubscriptionFilters implements Pick<
  SubscriptionFiltersRepository,
  'insertMany' | 'listForSubscription' | 'findById' | 'applyChanges' | 'delete'
> {
  constructor(private readonly store: ApiStore) {}

  async insertMany(
    projectId: string,
    subscriptionId: string,
    filters: readonly NewSubscriptionFilter[],
  ): Promise<SubscriptionFilterEntity[]> {
    const taken = new Set((await this.listForSubscription(projectId, subscriptionId)).map((f) => f.eventType));
    const clash = filters.find((f) => taken.has(f.eventType));
    if (clash) throw new DuplicateFilterEventTypeError(clash.eventType);
    return filters.map((filter) => {
      const row = Object.assign(new SubscriptionFilterEntity(), {
        id: newId(),
        body: {},
        headers: {},
        rawBody: {},
        rawHeaders: {},
        enabledAt: this.store.now(),
        createdAt: this.store.now(),
        updatedAt: this.store.now(),
        ...filter,
        projectId,
        subscriptionId,
      });
      this.store.filters.set(row.id, row);
      return row;
    });
  }

  async listForSubscription(projectId: string, subscriptionId: string): Promise<SubscriptionFilterEntity[]> {
    return [...this.store.filters.values()]
      .filter((f) => f.projectId === projectId && f.subscriptionId === subscriptionId)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async findById(projectId: string, subscriptionId: string, id: string): Promise<SubscriptionFilterEntity | null> {
    const filter = this.store.filters.get(id);
    return filter?.projectId === projectId && filter.subscriptionId === subscriptionId ? filter : null;
  }

  async applyChanges(
    projectId: string,
    subscriptionId: string,
    changes: ReadonlyArray<{ id: string; changes: SubscriptionFilterChanges }>,
  ): Promise<SubscriptionFilterEntity[] | null> {
    const rows = await Promise.all(changes.map(({ id }) => this.findById(projectId, subscriptionId, id)));
    if (rows.some((row) => !row)) return null;
    const after = new Map((await this.listForSubscription(projectId, subscriptionId)).map((f) => [f.id, f.eventType]));
    for (const { id, changes: set } of changes) if (set.eventType) after.set(id, set.eventType);
    const types = [...after.values()];
    const clash = types.find((type, i) => types.indexOf(type) !== i);
    if (clash) throw new DuplicateFilterEventTypeError(clash);
    return changes.map(({ id, changes: set }) =>
      Object.assign(this.store.filters.get(id) as SubscriptionFilterEntity, set, { updatedAt: this.store.now() }),
    );
  }

  async delete(projectId: string, subscriptionId: string, id: string): Promise<boolean> {
    const filter = await this.findById(projectId, subscriptionId, id);
    if (filter) this.store.filters.delete(id);
    return filter !== null;
  }
}

/** Mask ids are unique across projects, as the `sources_mask_id_key` index keeps them. */
export class InMemoryApiSources implements Pick<
  SourcesRepository,
  'insert' | 'findById' | 'findByIds' | 'listFiltered' | 'applyChanges' | 'softDeleteWithSubscriptions'
> {
  /** How many of the next inserts meet a mask id collision (another source took the id meanwhile). */
  collideNext = 0;
  /** Every mask id an insert was tried with. */
  readonly triedMaskIds: string[] = [];

  constructor(private readonly store: ApiStore) {}

  async insert(source: NewSource): Promise<SourceEntity> {
    this.triedMaskIds.push(source.maskId);
    const taken = [...this.store.sources.values()].some((s) => s.maskId === source.maskId);
    if (taken || this.collideNext > 0) {
      this.collideNext = Math.max(0, this.collideNext - 1);
      throw aUniqueViolation('sources_mask_id_key');
    }
    const row = aSource(
      { id: source.projectId },
      { createdAt: this.store.now(), updatedAt: this.store.now(), ...columnsGiven(source) },
    );
    this.store.sources.set(row.id, row);
    return row;
  }

  async findById(projectId: string, id: string): Promise<SourceEntity | null> {
    const source = this.store.sources.get(id);
    return source?.projectId === projectId && !source.deletedAt ? source : null;
  }

  /** Deleted ones included: events keep naming them. */
  async findByIds(projectId: string, ids: readonly string[]): Promise<SourceEntity[]> {
    return ids.flatMap((id) => {
      const source = this.store.sources.get(id);
      return source?.projectId === projectId ? [source] : [];
    });
  }

  async listFiltered(
    projectId: string,
    filter: { type?: SourceEntity['type']; provider?: NonNullable<SourceEntity['provider']> },
  ): Promise<Page<SourceEntity>> {
    return onePage(
      [...this.store.sources.values()].filter(
        (s) =>
          s.projectId === projectId &&
          !s.deletedAt &&
          (!filter.type || s.type === filter.type) &&
          (!filter.provider || s.provider === filter.provider),
      ),
    );
  }

  async applyChanges(
    projectId: string,
    id: string,
    changes: Parameters<SourcesRepository['applyChanges']>[2],
  ): Promise<SourceEntity | null> {
    const source = await this.findById(projectId, id);
    return source ? Object.assign(source, changes, { updatedAt: this.store.now() }) : null;
  }

  async softDeleteWithSubscriptions(projectId: string, id: string): Promise<boolean> {
    const source = await this.findById(projectId, id);
    if (!source) return false;
    source.deletedAt = this.store.now();
    for (const s of this.store.subscriptions.values()) {
      if (s.projectId === projectId && s.sourceId === id && !s.deletedAt) s.deletedAt = this.store.now();
    }
    return true;
  }
}

/**
 * Events with the repository's idempotency: the first event with a (project, key) is the
 * original, later ones are stored as duplicates (Success, never delivered); storing the same
 * id again returns the stored row. Replays move originals to the next generation, Pending.
 */
export class InMemoryApiEvents implements Pick<
  EventsRepository,
  'insertAccepted' | 'insertAcceptedMany' | 'findById' | 'search' | 'replay' | 'countReplayable' | 'replayMatching'
> {
  /** Batches stored, in order (each is one INSERT statement in the repository). */
  readonly batches: NewEvent[][] = [];
  /** Makes the next batch insert fail (Postgres unreachable). */
  failNextBatch = false;

  constructor(private readonly store: ApiStore) {}

  async insertAccepted(event: NewEvent): Promise<AcceptedEvent> {
    const [accepted] = await this.insertAcceptedMany([event]);
    return accepted as AcceptedEvent;
  }

  async insertAcceptedMany(events: readonly NewEvent[]): Promise<AcceptedEvent[]> {
    if (this.failNextBatch) {
      this.failNextBatch = false;
      throw new Error('connection terminated unexpectedly');
    }
    this.batches.push([...events]);
    return events.map((event) => {
      const id = event.id ?? newId();
      const stored = this.store.events.get(id);
      if (stored) return { event: stored, duplicate: stored.isDuplicateEvent };
      const duplicate =
        !!event.idempotencyKey &&
        [...this.store.events.values()].some(
          (e) => e.projectId === event.projectId && e.idempotencyKey === event.idempotencyKey && !e.isDuplicateEvent,
        );
      const row = Object.assign(new EventEntity(), {
        sourceId: null,
        endpointIds: [],
        ownerId: null,
        headers: {},
        urlQueryParams: '',
        traceparent: null,
        idempotencyKey: null,
        generation: 1,
        acknowledgedAt: null,
        createdAt: this.store.now(),
        updatedAt: this.store.now(),
        deletedAt: null,
        ...event,
        id,
        isDuplicateEvent: duplicate,
        status: duplicate ? EventStatus.Success : EventStatus.Pending,
      });
      this.store.events.set(id, row);
      return { event: row, duplicate };
    });
  }

  async findById(projectId: string, id: string): Promise<EventEntity | null> {
    const event = this.store.events.get(id);
    return event?.projectId === projectId && !event.deletedAt ? event : null;
  }

  async search(projectId: string, filter: EventSearchFilter = {}): Promise<Page<EventEntity>> {
    return onePage(this.matching(projectId, filter));
  }

  async replay(projectId: string, id: string): Promise<EventEntity | null> {
    const event = await this.findById(projectId, id);
    if (!event || event.isDuplicateEvent) return null;
    return Object.assign(event, {
      generation: event.generation + 1,
      status: EventStatus.Pending,
      updatedAt: this.store.now(),
    });
  }

  async countReplayable(projectId: string, filter: EventSearchFilter): Promise<number> {
    return this.matching(projectId, filter).filter((e) => !e.isDuplicateEvent).length;
  }

  async replayMatching(projectId: string, filter: EventSearchFilter): Promise<{ matched: number; replayed: string[] }> {
    const originals = this.matching(projectId, filter).filter((e) => !e.isDuplicateEvent);
    for (const event of originals) await this.replay(projectId, event.id);
    return { matched: originals.length, replayed: originals.map((e) => e.id) };
  }

  /** The filter's fields other than the free-text `query`. */
  private matching(projectId: string, filter: EventSearchFilter): EventEntity[] {
    return [...this.store.events.values()].filter(
      (e) =>
        e.projectId === projectId &&
        !e.deletedAt &&
        (!filter.endpointIds?.length || e.endpointIds.some((id) => filter.endpointIds?.includes(id))) &&
        (!filter.sourceIds?.length || (e.sourceId !== null && filter.sourceIds.includes(e.sourceId))) &&
        (!filter.idempotencyKey || e.idempotencyKey === filter.idempotencyKey) &&
        (!filter.ownerId || e.ownerId === filter.ownerId) &&
        (!filter.createdFrom || e.createdAt >= filter.createdFrom) &&
        (!filter.createdTo || e.createdAt <= filter.createdTo),
    );
  }
}

export class InMemoryApiEventTypes implements Pick<EventTypesRepository, 'findByName'> {
  constructor(private readonly store: ApiStore) {}

  async findByName(projectId: string, name: string): Promise<EventTypeEntity | null> {
    return [...this.store.eventTypes.values()].find((t) => t.projectId === projectId && t.name === name) ?? null;
  }
}

/** Records the meta events published, with the payload as it would be stored; `failing` loses them. */
export class RecordingApiMetaEvents implements Pick<MetaEventPublisher, 'publish'> {
  failing = false;

  constructor(private readonly store: ApiStore) {}

  async publish(project: ProjectEntity, type: MetaEventType, data: unknown): Promise<string | null> {
    if (this.failing) throw new Error('meta_events insert failed');
    this.store.metaEvents.push({
      projectId: project.id,
      type,
      data: JSON.parse(JSON.stringify(data)) as Record<string, unknown>,
    });
    return newId();
  }
}
