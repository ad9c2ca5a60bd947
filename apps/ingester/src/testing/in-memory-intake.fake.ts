import { EventStatus } from '@caravan/domain';
import {
  EventRejectedError,
  type AcceptedEventResult,
  type AcceptEventInput,
  type IntakeService,
} from '@caravan/intake';
import type { EventEntity } from '@caravan/persistence';
import { anEvent } from '@caravan/testing';

/**
 * The intake as the ingester sees it: what `IntakeService.accept` decides, kept in memory.
 * Events go to the project's known endpoints (`knownEndpoints`, else refused `invalid` naming
 * endpoint_id); a key already taken in the project stores a duplicate; `failNext` makes the
 * next calls throw (Postgres unreachable), which the ingester must treat as transient.
 */
export class InMemoryIntake implements Pick<IntakeService, 'accept'> {
  /** Every call, refused or not. */
  readonly offered: AcceptEventInput[] = [];
  readonly stored: EventEntity[] = [];
  readonly knownEndpoints = new Set<string>();
  private readonly failures: Error[] = [];

  failNext(...errors: Error[]): void {
    this.failures.push(...errors);
  }

  /** The originals stored (duplicates left out). */
  get originals(): EventEntity[] {
    return this.stored.filter((e) => !e.isDuplicateEvent);
  }

  async accept(input: AcceptEventInput): Promise<AcceptedEventResult> {
    this.offered.push(input);
    const failure = this.failures.shift();
    if (failure) throw failure;
    const { route } = input;
    if ((route.routing === 'direct' || route.routing === 'dynamic') && !this.knownEndpoints.has(route.endpointId)) {
      throw new EventRejectedError(
        'invalid',
        `endpoint_id: no endpoint ${route.endpointId} in this project`,
        'endpoint_id',
      );
    }
    const key = input.idempotencyKey || null;
    const duplicate =
      key !== null && this.originals.some((e) => e.projectId === input.project.id && e.idempotencyKey === key);
    const event = anEvent(input.project, {
      eventType: input.eventType,
      routing: route.routing,
      endpointIds: route.routing === 'direct' || route.routing === 'dynamic' ? [route.endpointId] : [],
      ownerId: route.routing === 'fanout' ? route.ownerId : null,
      sourceId: route.routing === 'source' ? route.sourceId : (input.sourceId ?? null),
      raw: input.raw,
      headers: input.headers ?? {},
      idempotencyKey: key,
      acknowledgedAt: input.acknowledgedAt ?? null,
      isDuplicateEvent: duplicate,
      status: duplicate ? EventStatus.Success : EventStatus.Pending,
    });
    this.stored.push(event);
    return { event, duplicate };
  }
}
