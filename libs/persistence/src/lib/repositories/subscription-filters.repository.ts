import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SubscriptionFilterEntity } from '../entities/subscription-filter.entity';
import { NewRow, queryRows } from '../sql/sql-rows.helper';
import { SUBSCRIPTION_FILTER_TABLE } from '../sql/tables.sql';

export type NewSubscriptionFilter = Omit<NewRow<SubscriptionFilterEntity, 'eventType'>, 'projectId' | 'subscriptionId'>;
export type SubscriptionFilterChanges = Partial<
  Pick<SubscriptionFilterEntity, 'eventType' | 'body' | 'headers' | 'rawBody' | 'rawHeaders' | 'enabledAt'>
>;

/** Thrown when a subscription would get two filters for one event type. */
export class DuplicateFilterEventTypeError extends Error {
  constructor(readonly eventType: string) {
    super(`the subscription already has a filter for event type ${eventType}`);
    this.name = 'DuplicateFilterEventTypeError';
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { driverError?: { code?: string } })?.driverError?.code === '23505';
}

/** Per-event-type filters of a subscription; every query is scoped by project and subscription. */
@Injectable()
export class SubscriptionFiltersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Creates every filter or none (DuplicateFilterEventTypeError when a type is taken). */
  async insertMany(
    projectId: string,
    subscriptionId: string,
    filters: readonly NewSubscriptionFilter[],
  ): Promise<SubscriptionFilterEntity[]> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await SUBSCRIPTION_FILTER_TABLE.insert(
        manager,
        filters.map((filter) => ({ ...filter, projectId, subscriptionId })),
        'ON CONFLICT (project_id, subscription_id, event_type) DO NOTHING RETURNING *',
      );
      if (rows.length < filters.length) {
        const created = new Set(rows.map((row) => row['event_type']));
        throw new DuplicateFilterEventTypeError(
          filters.find((filter) => !created.has(filter.eventType))?.eventType ?? '',
        );
      }
      return rows.map((row) => SUBSCRIPTION_FILTER_TABLE.fromRow(row));
    });
  }

  async listForSubscription(projectId: string, subscriptionId: string): Promise<SubscriptionFilterEntity[]> {
    return this.dataSource
      .getRepository(SubscriptionFilterEntity)
      .find({ where: { projectId, subscriptionId }, order: { id: 'ASC' } });
  }

  async findById(projectId: string, subscriptionId: string, id: string): Promise<SubscriptionFilterEntity | null> {
    return this.dataSource.getRepository(SubscriptionFilterEntity).findOneBy({ projectId, subscriptionId, id });
  }

  /**
   * Applies each filter's changes, all or nothing: null when one of the ids is not a filter of
   * this subscription; DuplicateFilterEventTypeError when a new event type is taken.
   */
  async applyChanges(
    projectId: string,
    subscriptionId: string,
    changes: ReadonlyArray<{ id: string; changes: SubscriptionFilterChanges }>,
  ): Promise<SubscriptionFilterEntity[] | null> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const updated: SubscriptionFilterEntity[] = [];
        for (const { id, changes: set } of changes) {
          const row = await this.update(manager, projectId, subscriptionId, id, set);
          if (!row) throw new MissingFilter();
          updated.push(row);
        }
        return updated;
      });
    } catch (error) {
      if (error instanceof MissingFilter) return null;
      if (isUniqueViolation(error)) {
        throw new DuplicateFilterEventTypeError(
          changes.find(({ changes: set }) => set.eventType)?.changes.eventType ?? '',
        );
      }
      throw error;
    }
  }

  /** False when the subscription has no such filter. */
  async delete(projectId: string, subscriptionId: string, id: string): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource.manager,
      `DELETE FROM subscription_filters WHERE project_id = $1 AND subscription_id = $2 AND id = $3 RETURNING id`,
      [projectId, subscriptionId, id],
    );
    return rows.length > 0;
  }

  /**
   * The enabled filters, of every event type, of the given subscriptions in one query (the
   * router's batch; `filterForEventType` picks each event's).
   */
  async findEnabledFor(
    subscriptions: ReadonlyArray<{ projectId: string; id: string }>,
  ): Promise<SubscriptionFilterEntity[]> {
    if (subscriptions.length === 0) return [];
    const rows = await queryRows(
      this.dataSource.manager,
      `SELECT f.* FROM subscription_filters f
       JOIN unnest($1::text[], $2::text[]) AS r(project_id, subscription_id)
         ON f.project_id = r.project_id AND f.subscription_id = r.subscription_id
       WHERE f.enabled_at IS NOT NULL AND f.enabled_at <= now()`,
      [subscriptions.map((ref) => ref.projectId), subscriptions.map((ref) => ref.id)],
    );
    return rows.map((row) => SUBSCRIPTION_FILTER_TABLE.fromRow(row));
  }

  private async update(
    manager: EntityManager,
    projectId: string,
    subscriptionId: string,
    id: string,
    changes: SubscriptionFilterChanges,
  ): Promise<SubscriptionFilterEntity | null> {
    const result = await manager
      .createQueryBuilder()
      .update(SubscriptionFilterEntity)
      .set({ ...changes, updatedAt: () => 'now()' })
      .where('project_id = :projectId AND subscription_id = :subscriptionId AND id = :id', {
        projectId,
        subscriptionId,
        id,
      })
      .returning('*')
      .execute();
    const rows = result.raw as Record<string, unknown>[];
    return rows[0] ? SUBSCRIPTION_FILTER_TABLE.fromRow(rows[0]) : null;
  }
}

class MissingFilter extends Error {}
