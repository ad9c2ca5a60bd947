import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeliveryAttemptEntity } from '../entities/delivery-attempt.entity';
import { NewRow } from '../sql/sql-rows.helper';
import { DELIVERY_ATTEMPT_TABLE } from '../sql/tables.sql';

export type NewDeliveryAttempt = NewRow<
  DeliveryAttemptEntity,
  'projectId' | 'eventDeliveryId' | 'endpointId' | 'url' | 'success' | 'latencyMs'
>;

@Injectable()
export class DeliveryAttemptsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One multi-row INSERT for a batch of attempts; returns their ids in input order. */
  async insertMany(attempts: readonly NewDeliveryAttempt[]): Promise<string[]> {
    const rows = await DELIVERY_ATTEMPT_TABLE.insert(this.dataSource.manager, attempts, 'RETURNING id');
    return rows.map((row) => String(row['id']));
  }

  async listForDelivery(projectId: string, eventDeliveryId: string): Promise<DeliveryAttemptEntity[]> {
    return this.dataSource
      .getRepository(DeliveryAttemptEntity)
      .find({ where: { projectId, eventDeliveryId }, order: { id: 'ASC' } });
  }

  async findById(projectId: string, eventDeliveryId: string, id: string): Promise<DeliveryAttemptEntity | null> {
    return this.dataSource.getRepository(DeliveryAttemptEntity).findOneBy({ projectId, eventDeliveryId, id });
  }
}
