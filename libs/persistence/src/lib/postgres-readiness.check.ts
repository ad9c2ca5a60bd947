import type { ReadinessCheck } from '@caravan/observability';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** /readyz: Postgres answers a trivial query through the service's own pool. */
@Injectable()
export class PostgresReadinessCheck implements ReadinessCheck {
  readonly name = 'postgres';

  constructor(private readonly dataSource: DataSource) {}

  async check(): Promise<void> {
    if (!this.dataSource.isInitialized) {
      throw new Error('data source is not initialized');
    }
    await this.dataSource.query('SELECT 1');
  }
}
