import { Inject, Injectable, Optional } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { CLOCK, Clock, systemClock } from '@caravan/domain';
import { EndpointsRepository } from '@caravan/persistence';

/** How long a found endpoint (or an owner's endpoints) is reused on the intake path before being read again. */
export const ENDPOINT_CACHE_TTL_MS = 5_000;

/**
 * The endpoints an event names (`endpoint_id`) or fans out to (`owner_id`), for the hot intake
 * path: read at most once per endpoint or owner every few seconds per process instead of once per
 * event. Only what was found is kept, so an endpoint is usable the moment it is created. A change
 * made through this process's api is seen at once (`forget`); other replicas see a deletion or an
 * owner change within ENDPOINT_CACHE_TTL_MS, and an event accepted for an endpoint deleted meanwhile
 * is routed to nothing (the router reads the subscriptions afresh).
 */
@Injectable()
export class EndpointDirectory {
  private readonly cache: LRUCache<string, readonly string[]>;

  constructor(
    private readonly endpoints: EndpointsRepository,
    @Optional() @Inject(CLOCK) clock: Clock = systemClock,
  ) {
    this.cache = new LRUCache({ max: 50_000, ttl: ENDPOINT_CACHE_TTL_MS, ttlResolution: 0, perf: clock });
  }

  /** The id of the project's live endpoint `endpointId`, or null. */
  async endpoint(projectId: string, endpointId: string): Promise<string | null> {
    const [found] = await this.cached(keyOf(projectId, 'endpoint', endpointId), async () => {
      const endpoint = await this.endpoints.findById(projectId, endpointId);
      return endpoint ? [endpoint.id] : [];
    });
    return found ?? null;
  }

  /** The ids of the project's live endpoints with this owner_id, in id order. */
  ownedBy(projectId: string, ownerId: string): Promise<readonly string[]> {
    return this.cached(keyOf(projectId, 'owner', ownerId), async () =>
      (await this.endpoints.findByOwner(projectId, ownerId)).map((endpoint) => endpoint.id),
    );
  }

  /** Drops what is known of the project's endpoints (one was created, changed or deleted). */
  forget(projectId: string): void {
    const prefix = keyOf(projectId, '', '');
    for (const key of this.cache.keys()) if (key.startsWith(prefix)) this.cache.delete(key);
  }

  private async cached(key: string, load: () => Promise<readonly string[]>): Promise<readonly string[]> {
    const known = this.cache.get(key);
    if (known) return known;
    const ids = await load();
    if (ids.length > 0) this.cache.set(key, ids);
    return ids;
  }
}

/** NUL cannot occur in ids or owner ids, so one project's keys never prefix another's. */
function keyOf(projectId: string, kind: string, id: string): string {
  return `${projectId}\u0000${kind}${kind ? '\u0000' : ''}${id}`;
}
