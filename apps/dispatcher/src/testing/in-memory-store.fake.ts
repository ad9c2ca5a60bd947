import { DeliveryStatus, EndpointStatus, EventStatus, ManualClock, MetaEventStatus, newId } from '@caravan/domain';
import type { MetaEventPublisher } from '@caravan/meta-events';
import type { DoorbellRinger } from '@caravan/messaging';
import {
  ClaimedDelivery,
  DeliveryOutcomeUpdate,
  DeliveryRef,
  EndpointEntity,
  EndpointsRepository,
  EventDeliveriesRepository,
  EventDeliveryEntity,
  EventEntity,
  EventsRepository,
  MetaEventEntity,
  MetaEventOutcomeUpdate,
  MetaEventsRepository,
  NewDeliveryAttempt,
  NewEventDelivery,
  ProjectEntity,
  ProjectsRepository,
  RetentionRepository,
  SubscriptionEntity,
  SubscriptionFilterEntity,
  SubscriptionFiltersRepository,
  SubscriptionsRepository,
} from '@caravan/persistence';
import { aSubscription } from '@caravan/testing';
import type { WebhookClient, WebhookRequest, WebhookResponse } from '../sender/webhook.client';

export { asRepository } from '@caravan/testing';

/**
 * In-memory stand-ins for the dispatcher's repositories, ringer and HTTP client, for unit
 * tests of the services' rules. Each fake implements the methods the services call with
 * the repository's own signatures (`Pick<Repository, ...>`, checked by the compiler) and the
 * semantics its SQL documents: claims only take due Scheduled/Retry rows, outcome writes
 * and put-backs are fenced by the claim's lease, every query is scoped by project. Time is
 * the test's `ManualClock`.
 */
export class InMemoryStore {
  readonly projects = new Map<string, ProjectEntity>();
  readonly endpoints = new Map<string, EndpointEntity>();
  readonly events = new Map<string, EventEntity>();
  readonly subscriptions = new Map<string, SubscriptionEntity>();
  readonly filters = new Map<string, SubscriptionFilterEntity>();
  readonly deliveries = new Map<string, EventDeliveryEntity>();
  readonly attempts: NewDeliveryAttempt[] = [];
  readonly rung = { events: [] as Array<{ event_id: string }>, deliveries: [] as Array<{ delivery_id: string }> };
  readonly metaEvents: Array<Parameters<MetaEventPublisher['publishAll']>[0][number]> = [];

  constructor(readonly clock: ManualClock) {}

  add<T extends { id: string }>(table: Map<string, T>, ...rows: T[]): void {
    for (const row of rows) table.set(row.id, row);
  }

  delivery(id: string): EventDeliveryEntity {
    const row = this.deliveries.get(id);
    if (!row) throw new Error(`no delivery ${id}`);
    return row;
  }

  attemptsOf(deliveryId: string): NewDeliveryAttempt[] {
    return this.attempts.filter((a) => a.eventDeliveryId === deliveryId);
  }

  now(): Date {
    return new Date(this.clock.now());
  }
}

const UNFINISHED = new Set<string>([DeliveryStatus.Scheduled, DeliveryStatus.Processing, DeliveryStatus.Retry]);

/**
 * Retention over the store: an event older than the cut-off goes with its deliveries and
 * attempts unless it was never routed (Pending) or a delivery of it is unfinished; meta events
 * are not kept in the store, so their deletes are only recorded. `otherReplicaSweeping` holds
 * the sweep lock elsewhere.
 */
export class InMemoryRetention implements Pick<
  RetentionRepository,
  'whileHoldingSweepLock' | 'deleteEventsBefore' | 'deleteMetaEventsBefore'
> {
  otherReplicaSweeping = false;
  /** Every delete statement, in order: which table, for which project, with which cut-off. */
  readonly statements: Array<{ table: 'events' | 'meta_events'; projectId: string; cutoff: Date; limit: number }> = [];

  constructor(private readonly store: InMemoryStore) {}

  async whileHoldingSweepLock<T>(work: () => Promise<T>): Promise<T | null> {
    return this.otherReplicaSweeping ? null : work();
  }

  async deleteEventsBefore(
    projectId: string,
    cutoff: Date,
    limit: number,
  ): Promise<{ events: number; deliveries: number; attempts: number }> {
    this.statements.push({ table: 'events', projectId, cutoff, limit });
    const deliveriesOf = (eventId: string) => [...this.store.deliveries.values()].filter((d) => d.eventId === eventId);
    const doomed = [...this.store.events.values()]
      .filter(
        (e) =>
          e.projectId === projectId &&
          e.createdAt.getTime() < cutoff.getTime() &&
          e.status !== EventStatus.Pending &&
          !deliveriesOf(e.id).some((d) => UNFINISHED.has(d.status)),
      )
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit);
    const gone = new Set(doomed.flatMap((event) => deliveriesOf(event.id).map((d) => d.id)));
    const keptAttempts = this.store.attempts.filter((a) => !gone.has(a.eventDeliveryId));
    const attempts = this.store.attempts.length - keptAttempts.length;
    this.store.attempts.splice(0, this.store.attempts.length, ...keptAttempts);
    for (const id of gone) this.store.deliveries.delete(id);
    for (const event of doomed) this.store.events.delete(event.id);
    return { events: doomed.length, deliveries: gone.size, attempts };
  }

  async deleteMetaEventsBefore(projectId: string, cutoff: Date, limit: number): Promise<number> {
    this.statements.push({ table: 'meta_events', projectId, cutoff, limit });
    return 0;
  }
}

const sameLease = (row: { leaseUntil: Date | null }, lease: Date) => row.leaseUntil?.getTime() === lease.getTime();
const CLAIMABLE = new Set<string>([DeliveryStatus.Scheduled, DeliveryStatus.Retry]);

export class InMemoryDeliveries implements Pick<
  EventDeliveriesRepository,
  | 'insertScheduled'
  | 'recordRouting'
  | 'claimDueForSending'
  | 'recordOutcomesWithAttempts'
  | 'renewLeases'
  | 'putBack'
  | 'releaseExpiredLeases'
  | 'withDueDoorbells'
  | 'dueBacklog'
> {
  /** Ids of every claim, in order (the claims a sender made). */
  readonly claims: string[][] = [];

  constructor(private readonly store: InMemoryStore) {}

  async insertScheduled(rows: readonly NewEventDelivery[]): Promise<string[]> {
    const inserted: string[] = [];
    for (const row of rows) {
      const clash = [...this.store.deliveries.values()].some(
        (d) => d.eventId === row.eventId && d.subscriptionId === row.subscriptionId && d.generation === row.generation,
      );
      if (clash) continue;
      const id = row.id ?? newId();
      const now = this.store.now();
      this.store.deliveries.set(
        id,
        Object.assign(new EventDeliveryEntity(), {
          attempts: 0,
          nextSendTime: now,
          leaseUntil: null,
          latencyMs: null,
          createdAt: now,
          updatedAt: now,
          deletedAt: null,
          ...row,
          id,
        }),
      );
      inserted.push(id);
    }
    return inserted;
  }

  /** insertScheduled, then the events (each of its own project) Pending → Processing. */
  async recordRouting(
    rows: readonly NewEventDelivery[],
    events: ReadonlyArray<{ projectId: string; id: string }>,
  ): Promise<string[]> {
    const inserted = await this.insertScheduled(rows);
    for (const { projectId, id } of events) {
      const event = this.store.events.get(id);
      if (event?.projectId === projectId && event.status === EventStatus.Pending) event.status = EventStatus.Processing;
    }
    return inserted;
  }

  private claimRows(ids: readonly string[], leaseSeconds: number): EventDeliveryEntity[] {
    this.claims.push([...ids]);
    const now = this.store.clock.now();
    const claimed: EventDeliveryEntity[] = [];
    for (const id of ids) {
      const row = this.store.deliveries.get(id);
      if (!row || !CLAIMABLE.has(row.status) || row.nextSendTime.getTime() > now || row.deletedAt) continue;
      row.status = DeliveryStatus.Processing;
      row.leaseUntil = new Date(now + leaseSeconds * 1000);
      claimed.push(Object.assign(new EventDeliveryEntity(), row));
    }
    return claimed;
  }

  /** claimDue, with each row's live event, endpoint and project (of the row's own project). */
  async claimDueForSending(ids: readonly string[], leaseSeconds: number): Promise<ClaimedDelivery[]> {
    return this.claimRows(ids, leaseSeconds).map((delivery) => {
      const event = this.store.events.get(delivery.eventId);
      const endpoint = this.store.endpoints.get(delivery.endpointId);
      const project = this.store.projects.get(delivery.projectId);
      return {
        delivery,
        event: event && event.projectId === delivery.projectId && !event.deletedAt ? event : undefined,
        endpoint: endpoint && endpoint.projectId === delivery.projectId && !endpoint.deletedAt ? endpoint : undefined,
        project: project && !project.deletedAt ? project : undefined,
      };
    });
  }

  /** The outcomes (fenced by their lease) and the attempts of those written, together. */
  async recordOutcomesWithAttempts(
    items: ReadonlyArray<{ outcome: DeliveryOutcomeUpdate; attempt: NewDeliveryAttempt | null }>,
  ): Promise<string[]> {
    const written = new Set(this.writeOutcomes(items.map((item) => item.outcome)));
    for (const item of items) if (item.attempt && written.has(item.outcome.id)) this.store.attempts.push(item.attempt);
    return [...written];
  }

  private writeOutcomes(outcomes: readonly DeliveryOutcomeUpdate[]): string[] {
    const written: string[] = [];
    for (const outcome of outcomes) {
      const row = this.store.deliveries.get(outcome.id);
      if (!row || row.status !== DeliveryStatus.Processing || !sameLease(row, outcome.leaseUntil)) continue;
      Object.assign(row, {
        status: outcome.status,
        description: outcome.description,
        attempts: outcome.attempts,
        nextSendTime: outcome.nextSendTime ?? row.nextSendTime,
        latencyMs: row.latencyMs ?? outcome.latencyMs,
        leaseUntil: null,
        updatedAt: this.store.now(),
      });
      written.push(row.id);
    }
    return written;
  }

  async renewLeases(
    rows: ReadonlyArray<{ id: string; leaseUntil: Date }>,
    leaseSeconds: number,
  ): Promise<Array<{ id: string; leaseUntil: Date }>> {
    const renewed: Array<{ id: string; leaseUntil: Date }> = [];
    for (const { id, leaseUntil } of rows) {
      const row = this.store.deliveries.get(id);
      if (!row || row.status !== DeliveryStatus.Processing || !sameLease(row, leaseUntil)) continue;
      row.leaseUntil = new Date(this.store.clock.now() + leaseSeconds * 1000);
      renewed.push({ id, leaseUntil: row.leaseUntil });
    }
    return renewed;
  }

  async putBack(rows: ReadonlyArray<{ id: string; leaseUntil: Date; nextSendTime: Date }>): Promise<string[]> {
    const put: string[] = [];
    for (const { id, leaseUntil, nextSendTime } of rows) {
      const row = this.store.deliveries.get(id);
      if (!row || row.status !== DeliveryStatus.Processing || !sameLease(row, leaseUntil)) continue;
      Object.assign(row, {
        status: row.attempts === 0 ? DeliveryStatus.Scheduled : DeliveryStatus.Retry,
        nextSendTime,
        leaseUntil: null,
        updatedAt: this.store.now(),
      });
      put.push(id);
    }
    return put;
  }

  async releaseExpiredLeases(limit: number): Promise<DeliveryRef[]> {
    const now = this.store.clock.now();
    const expired = [...this.store.deliveries.values()]
      .filter((row) => row.status === DeliveryStatus.Processing && (row.leaseUntil?.getTime() ?? 0) < now)
      .slice(0, limit);
    for (const row of expired) {
      Object.assign(row, {
        status: row.attempts === 0 ? DeliveryStatus.Scheduled : DeliveryStatus.Retry,
        nextSendTime: this.store.now(),
        leaseUntil: null,
        updatedAt: this.store.now(),
      });
    }
    return expired.map(ref);
  }

  async withDueDoorbells<T>(limit: number, graceSeconds: number, work: (due: DeliveryRef[]) => Promise<T>): Promise<T> {
    const now = this.store.clock.now();
    const due = this.due()
      .filter(
        (row) =>
          row.nextSendTime.getTime() > row.updatedAt.getTime() || row.updatedAt.getTime() <= now - graceSeconds * 1000,
      )
      .slice(0, limit);
    const result = await work(due.map(ref));
    for (const row of due) row.updatedAt = this.store.now();
    return result;
  }

  async dueBacklog(): Promise<{ count: number; oldestAgeSeconds: number }> {
    const due = this.due();
    const oldest = Math.min(...due.map((row) => row.nextSendTime.getTime()));
    return { count: due.length, oldestAgeSeconds: due.length ? (this.store.clock.now() - oldest) / 1000 : 0 };
  }

  private due(): EventDeliveryEntity[] {
    const now = this.store.clock.now();
    return [...this.store.deliveries.values()]
      .filter((row) => CLAIMABLE.has(row.status) && row.nextSendTime.getTime() <= now && !row.deletedAt)
      .sort((a, b) => a.nextSendTime.getTime() - b.nextSendTime.getTime());
  }
}

function ref(row: EventDeliveryEntity): DeliveryRef {
  return { id: row.id, projectId: row.projectId, endpointId: row.endpointId };
}

export class InMemoryEndpoints implements Pick<
  EndpointsRepository,
  'findByRefs' | 'findByOwner' | 'deactivate' | 'recordBreakerStates'
> {
  readonly breakerStates: Array<{ endpointId: string; state: 'open' | 'closed' }> = [];

  constructor(private readonly store: InMemoryStore) {}

  async findByRefs(refs: ReadonlyArray<{ projectId: string; id: string }>): Promise<EndpointEntity[]> {
    return refs.flatMap(({ projectId, id }) => {
      const endpoint = this.store.endpoints.get(id);
      return endpoint && endpoint.projectId === projectId && !endpoint.deletedAt ? [endpoint] : [];
    });
  }

  async findByOwner(projectId: string, ownerId: string): Promise<EndpointEntity[]> {
    return [...this.store.endpoints.values()].filter((e) => e.projectId === projectId && e.ownerId === ownerId);
  }

  async deactivate(projectId: string, id: string): Promise<EndpointEntity | null> {
    const endpoint = this.store.endpoints.get(id);
    if (!endpoint || endpoint.projectId !== projectId || endpoint.status === EndpointStatus.Inactive) return null;
    endpoint.status = EndpointStatus.Inactive;
    return endpoint;
  }

  async recordBreakerStates(changes: ReadonlyArray<{ endpointId: string; state: 'open' | 'closed' }>): Promise<void> {
    this.breakerStates.push(...changes);
  }
}

export class InMemoryEvents implements Pick<
  EventsRepository,
  'findByRefs' | 'findForRouting' | 'addRoutedEndpoints' | 'withStalePending'
> {
  constructor(private readonly store: InMemoryStore) {}

  async findByRefs(refs: ReadonlyArray<{ projectId: string; id: string }>): Promise<EventEntity[]> {
    return refs.flatMap(({ projectId, id }) => {
      const event = this.store.events.get(id);
      return event && event.projectId === projectId && !event.deletedAt ? [event] : [];
    });
  }

  /** findByRefs, each event with its live project. */
  async findForRouting(
    refs: ReadonlyArray<{ projectId: string; id: string }>,
  ): Promise<Array<{ event: EventEntity; project: ProjectEntity | undefined }>> {
    return (await this.findByRefs(refs)).map((event) => {
      const project = this.store.projects.get(event.projectId);
      return { event, project: project && !project.deletedAt ? project : undefined };
    });
  }

  async addRoutedEndpoints(
    projectId: string,
    routed: ReadonlyArray<{ id: string; endpointIds: readonly string[] }>,
  ): Promise<void> {
    for (const { id, endpointIds } of routed) {
      const event = this.store.events.get(id);
      if (event?.projectId === projectId) event.endpointIds = [...new Set([...event.endpointIds, ...endpointIds])];
    }
  }

  async withStalePending<T>(
    freshMs: number,
    graceSeconds: number,
    limit: number,
    work: (stale: Array<{ id: string; projectId: string }>) => Promise<T>,
  ): Promise<T> {
    const now = this.store.clock.now();
    const stale = [...this.store.events.values()]
      .filter(
        (e) =>
          e.status === EventStatus.Pending &&
          !e.isDuplicateEvent &&
          e.createdAt.getTime() <= now - freshMs &&
          e.updatedAt.getTime() <= now - Math.max(freshMs, graceSeconds * 1000),
      )
      .slice(0, limit);
    const result = await work(stale.map((e) => ({ id: e.id, projectId: e.projectId })));
    for (const event of stale) event.updatedAt = this.store.now();
    return result;
  }
}

export class InMemoryProjects implements Pick<ProjectsRepository, 'findByIds' | 'listAll'> {
  constructor(private readonly store: InMemoryStore) {}

  async listAll(): Promise<ProjectEntity[]> {
    return [...this.store.projects.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  async findByIds(ids: readonly string[]): Promise<ProjectEntity[]> {
    return [...new Set(ids)].flatMap((id) => {
      const project = this.store.projects.get(id);
      return project ? [project] : [];
    });
  }
}

export class InMemorySubscriptions implements Pick<
  SubscriptionsRepository,
  'findById' | 'findForEventType' | 'findLiveForEndpoints' | 'findForSource' | 'ensureCatchAll'
> {
  constructor(private readonly store: InMemoryStore) {}

  async findById(projectId: string, id: string): Promise<SubscriptionEntity | null> {
    const subscription = this.store.subscriptions.get(id);
    return subscription?.projectId === projectId ? subscription : null;
  }

  async findForEventType(
    projectId: string,
    eventType: string,
    endpointIds?: readonly string[],
  ): Promise<SubscriptionEntity[]> {
    return this.live(projectId).filter(
      (s) =>
        (!endpointIds || endpointIds.includes(s.endpointId)) &&
        (s.eventTypes.length === 0 || s.eventTypes.includes('*') || s.eventTypes.includes(eventType)),
    );
  }

  async findLiveForEndpoints(
    endpoints: ReadonlyArray<{ projectId: string; id: string }>,
  ): Promise<SubscriptionEntity[]> {
    return [...this.store.subscriptions.values()].filter(
      (s) => !s.deletedAt && endpoints.some((ref) => ref.projectId === s.projectId && ref.id === s.endpointId),
    );
  }

  async findForSource(projectId: string, sourceId: string, eventType: string): Promise<SubscriptionEntity[]> {
    return (await this.findForEventType(projectId, eventType)).filter((s) => s.sourceId === sourceId);
  }

  async ensureCatchAll(projectId: string, endpointId: string): Promise<SubscriptionEntity | null> {
    if (this.live(projectId).some((s) => s.endpointId === endpointId)) return null;
    const now = this.store.now();
    const created = aSubscription(
      { id: endpointId, projectId },
      { name: `${endpointId}'s catch-all subscription`, createdAt: now, updatedAt: now },
    );
    this.store.subscriptions.set(created.id, created);
    return created;
  }

  private live(projectId: string): SubscriptionEntity[] {
    return [...this.store.subscriptions.values()].filter((s) => s.projectId === projectId && !s.deletedAt);
  }
}

export class InMemorySubscriptionFilters implements Pick<SubscriptionFiltersRepository, 'findEnabledFor'> {
  constructor(private readonly store: InMemoryStore) {}

  async findEnabledFor(
    subscriptions: ReadonlyArray<{ projectId: string; id: string }>,
  ): Promise<SubscriptionFilterEntity[]> {
    const now = this.store.clock.now();
    return [...this.store.filters.values()].filter(
      (f) =>
        subscriptions.some((ref) => ref.projectId === f.projectId && ref.id === f.subscriptionId) &&
        f.enabledAt !== null &&
        f.enabledAt.getTime() <= now,
    );
  }
}

export class InMemoryMetaEvents implements Pick<MetaEventsRepository, 'releaseExpiredLeases' | 'withDueDoorbells'> {
  async releaseExpiredLeases(): Promise<Array<{ id: string; projectId: string }>> {
    return [];
  }

  async withDueDoorbells<T>(
    _limit: number,
    _graceSeconds: number,
    work: (due: Array<{ id: string; projectId: string }>) => Promise<T>,
  ): Promise<T> {
    return work([]);
  }
}

/** Meta event rows: claims take due Scheduled/Retry rows, outcome writes are fenced by the claim's lease. */
export class InMemoryMetaEventRows implements Pick<MetaEventsRepository, 'claimDue' | 'recordOutcomes'> {
  readonly rows = new Map<string, MetaEventEntity>();

  constructor(private readonly store: InMemoryStore) {}

  /** A Scheduled meta event of `project`, due now. */
  add(project: { id: string }, fields: Partial<MetaEventEntity> = {}): MetaEventEntity {
    const row = Object.assign(new MetaEventEntity(), {
      id: newId(),
      projectId: project.id,
      eventType: 'endpoint.created',
      payload: Buffer.from('{"event_type":"endpoint.created","data":{}}'),
      status: MetaEventStatus.Scheduled,
      attempts: 0,
      retryLimit: 3,
      nextSendTime: this.store.now(),
      leaseUntil: null,
      lastResponse: null,
      createdAt: this.store.now(),
      updatedAt: this.store.now(),
      ...fields,
    });
    this.rows.set(row.id, row);
    return row;
  }

  async claimDue(ids: readonly string[], leaseSeconds: number): Promise<MetaEventEntity[]> {
    const now = this.store.clock.now();
    const claimed: MetaEventEntity[] = [];
    for (const id of ids) {
      const row = this.rows.get(id);
      const due = row && [MetaEventStatus.Scheduled, MetaEventStatus.Retry].includes(row.status);
      if (!row || !due || row.nextSendTime.getTime() > now) continue;
      Object.assign(row, { status: MetaEventStatus.Processing, leaseUntil: new Date(now + leaseSeconds * 1000) });
      claimed.push(Object.assign(new MetaEventEntity(), row));
    }
    return claimed;
  }

  async recordOutcomes(outcomes: readonly MetaEventOutcomeUpdate[]): Promise<string[]> {
    const written: string[] = [];
    for (const outcome of outcomes) {
      const row = this.rows.get(outcome.id);
      if (!row || row.status !== MetaEventStatus.Processing || !sameLease(row, outcome.leaseUntil)) continue;
      Object.assign(row, {
        status: outcome.status,
        attempts: outcome.attempts,
        nextSendTime: outcome.nextSendTime ?? row.nextSendTime,
        lastResponse: outcome.lastResponse,
        leaseUntil: null,
        updatedAt: this.store.now(),
      });
      written.push(row.id);
    }
    return written;
  }
}

/** Records the doorbells rung; `failing` makes the broker unreachable. */
export class RecordingRinger implements Pick<DoorbellRinger, 'deliveries' | 'events' | 'afterCommit'> {
  failing = false;

  constructor(private readonly store: InMemoryStore) {}

  async deliveries(bells: Parameters<DoorbellRinger['deliveries']>[0]): Promise<void> {
    if (this.failing) throw new Error('kafka unreachable');
    this.store.rung.deliveries.push(...bells);
  }

  async events(bells: Parameters<DoorbellRinger['events']>[0]): Promise<void> {
    if (this.failing) throw new Error('kafka unreachable');
    this.store.rung.events.push(...bells);
  }

  /** Like the real ringer's: rows are committed, so a lost ring is swallowed (the scheduler re-rings). */
  async afterCommit(bells: Parameters<DoorbellRinger['afterCommit']>[0]): Promise<void> {
    if (this.failing) return;
    for (const bell of bells) {
      if ('event_id' in bell) this.store.rung.events.push(bell);
      else this.store.rung.deliveries.push(bell);
    }
  }
}

export class RecordingMetaEventPublisher implements Pick<MetaEventPublisher, 'publishAll'> {
  constructor(private readonly store: InMemoryStore) {}

  async publishAll(items: Parameters<MetaEventPublisher['publishAll']>[0]): Promise<string[]> {
    this.store.metaEvents.push(...items);
    return items.map(() => newId());
  }
}

/** What the receiver answers: a response, or `hang` (no answer until the request is aborted). */
export type ScriptedAnswer = Partial<WebhookResponse> | 'hang';

/** The HTTP edge: records every request and answers from a script per URL (200 when none is left). */
export class ScriptedWebhookClient implements Pick<WebhookClient, 'post'> {
  readonly requests: WebhookRequest[] = [];
  private readonly scripts = new Map<string, ScriptedAnswer[]>();

  script(url: string, ...answers: ScriptedAnswer[]): void {
    this.scripts.set(url, answers);
  }

  to(url: string): WebhookRequest[] {
    return this.requests.filter((r) => r.url === url);
  }

  async post(request: WebhookRequest): Promise<WebhookResponse> {
    this.requests.push(request);
    const answer = this.scripts.get(request.url)?.shift() ?? {};
    if (answer === 'hang') {
      return new Promise((resolve) => {
        const aborted = () =>
          resolve({ ...base(), statusCode: null, error: 'The operation was aborted', durationMs: 0 });
        if (request.signal?.aborted) aborted();
        request.signal?.addEventListener('abort', aborted, { once: true });
      });
    }
    return { ...base(), ...answer };
  }
}

function base(): WebhookResponse {
  return { statusCode: 200, headers: {}, body: 'ok', error: null, refused: false, ip: '203.0.113.7', durationMs: 3 };
}
