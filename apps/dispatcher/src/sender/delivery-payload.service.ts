import { Injectable, Logger } from '@nestjs/common';
import { deliveryLogIds } from '@caravan/observability';
import { LRUCache } from 'lru-cache';
import type { EventDeliveryEntity, EventEntity } from '@caravan/persistence';
import { SubscriptionsRepository } from '@caravan/persistence';
import { TransformFailedError, TransformPool } from '@caravan/sandbox';

/** How long a subscription's function is reused before being read again (a change applies within it). */
const FUNCTION_CACHE_TTL_MS = 5_000;

/** The bytes one delivery sends, or why its subscription's function could not produce them. */
export type DeliveryBody = { ok: true; body: Buffer } | { ok: false; reason: string };

/**
 * The body of a delivery: the event's exact bytes, or, when its subscription has a `function`,
 * what `transform(data)` returns (JSON), computed in the sandbox pool. The signature is then
 * computed over these bytes. A function that fails fails the delivery; the process is untouched.
 */
@Injectable()
export class DeliveryPayload {
  private readonly logger = new Logger(DeliveryPayload.name);
  /**
   * The lookup itself is cached, not only its result: the deliveries of one claim share their
   * subscriptions, and each used to read the row while the first read was still in flight.
   */
  private readonly functions = new LRUCache<string, Promise<string | null>>({
    max: 10_000,
    ttl: FUNCTION_CACHE_TTL_MS,
  });

  constructor(
    private readonly subscriptions: SubscriptionsRepository,
    private readonly pool: TransformPool,
  ) {}

  async bodyFor(delivery: EventDeliveryEntity, event: EventEntity): Promise<DeliveryBody> {
    const code = await this.functionOf(delivery);
    if (!code) return { ok: true, body: event.raw };
    let data: unknown;
    try {
      data = JSON.parse(event.raw.toString('utf8'));
    } catch {
      return { ok: false, reason: 'function failed: the event data is not JSON' };
    }
    try {
      const { value } = await this.pool.run('function', code, data);
      return { ok: true, body: Buffer.from(JSON.stringify(value), 'utf8') };
    } catch (error) {
      if (!(error instanceof TransformFailedError)) throw error;
      this.logger.warn({ ...deliveryLogIds(delivery), reason: error.reason }, 'subscription function failed');
      return { ok: false, reason: error.line ? `${error.message} (line ${error.line})` : error.message };
    }
  }

  private functionOf(delivery: EventDeliveryEntity): Promise<string | null> {
    const id = delivery.subscriptionId;
    if (!id) return Promise.resolve(null);
    const key = `${delivery.projectId}/${id}`;
    const cached = this.functions.get(key);
    if (cached) return cached;
    const lookup = this.subscriptions
      .findById(delivery.projectId, id)
      .then((subscription) => subscription?.function?.trim() || null);
    this.functions.set(key, lookup);
    // A failed read is not remembered: the next delivery reads again.
    lookup.catch(() => {
      if (this.functions.get(key) === lookup) this.functions.delete(key);
    });
    return lookup;
  }
}
