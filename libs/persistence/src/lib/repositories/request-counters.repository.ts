import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../sql/sql-rows.helper';

export interface CounterHit {
  /** What is counted, e.g. `api:<project id>` or `ingest:<source id>`. */
  key: string;
  /** Requests to add. */
  count: number;
  /** Fixed windows of this many seconds, aligned on the epoch (the database's clock). */
  windowSeconds: number;
}

export interface CounterTotal {
  key: string;
  /** The window's total, this hit included. */
  hits: number;
  /** Seconds until the window ends (a fraction, by the database's clock). */
  secondsLeft: number;
}

/**
 * Request counters shared by every api replica: one upsert adds a batch of hits and returns
 * each key's new total, so replicas never need to talk to each other.
 */
@Injectable()
export class RequestCountersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Adds the hits (one entry per key) in one statement; one total per key. */
  async add(hits: readonly CounterHit[]): Promise<CounterTotal[]> {
    if (hits.length === 0) return [];
    const rows = await queryRows(
      this.dataSource.manager,
      `WITH h AS (
         SELECT k, n, to_timestamp(floor(extract(epoch FROM now()) / w) * w) AS start, w
         FROM unnest($1::text[], $2::int[], $3::int[]) AS t(k, n, w)
       )
       INSERT INTO request_counters AS c (key, window_start, window_end, hits)
       SELECT k, start, start + make_interval(secs => w), n FROM h
       ON CONFLICT (key, window_start) DO UPDATE SET hits = c.hits + EXCLUDED.hits
       RETURNING key, hits, extract(epoch FROM window_end - now())::float8 AS seconds_left`,
      [hits.map((h) => h.key), hits.map((h) => h.count), hits.map((h) => h.windowSeconds)],
    );
    return rows.map((row) => ({
      key: String(row['key']),
      hits: Number(row['hits']),
      secondsLeft: Math.max(0, Number(row['seconds_left'])),
    }));
  }

  /** Drops counters of windows that ended; returns how many. */
  async purgeEnded(): Promise<number> {
    const rows = await queryRows(
      this.dataSource.manager,
      `DELETE FROM request_counters WHERE window_end < now() - interval '1 minute' RETURNING 1`,
    );
    return rows.length;
  }
}
