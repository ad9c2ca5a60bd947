import type { PubSubConfig } from '@caravan/domain';
import { SourceType } from '@caravan/domain';
import {
  EndpointEntity,
  EventEntity,
  NewSource,
  ProjectEntity,
  SourceEntity,
  SourcesRepository,
} from '@caravan/persistence';
import {
  eventually,
  insertEndpoint,
  insertProject,
  logLineMatches,
  ServiceProcess,
  spawnService,
} from '@caravan/testing';
import { randomBytes } from 'node:crypto';
import { DispatcherHarness, freePort } from '../../dispatcher/support/dispatcher-harness';

/** Short timings for tests: sources noticed within half a second, quick retries and shutdown. */
export const FAST_INGESTER_ENV: Record<string, string> = {
  CARAVAN_INGESTER_SOURCES_POLL_MS: '300',
  CARAVAN_INGESTER_RETRY_DELAY_MS: '500',
  CARAVAN_INGESTER_SQS_WAIT_SECONDS: '1',
  CARAVAN_INGESTER_DRAIN_TIMEOUT_MS: '5000',
  CARAVAN_INGESTER_KAFKA_SESSION_TIMEOUT_MS: '6000',
  CARAVAN_TRANSFORM_TIMEOUT_MS: '200',
  CARAVAN_INGESTER_SQS_VISIBILITY_SECONDS: '5',
  CARAVAN_LOG_LEVEL: 'log',
  // The brokers here run on loopback, which the ingester's SSRF guard refuses unless allowed.
  CARAVAN_INGESTER_BROKER_ALLOW_CIDRS: '127.0.0.0/8,::1/128',
};

/**
 * One test file's world for the ingester: the dispatcher's harness (own database, own
 * topics, a real HTTP receiver, the dispatcher bundle), a project, and ingester processes
 * run from their production bundle (dist/apps/ingester, built with `nx build ingester`).
 */
export class IngesterHarness {
  readonly ingesters: ServiceProcess[] = [];

  private constructor(
    readonly dispatch: DispatcherHarness,
    readonly project: ProjectEntity,
  ) {}

  static async start(name: string): Promise<IngesterHarness> {
    const dispatch = await DispatcherHarness.start(`ingester-${name}`);
    // A statement of a killed client is aborted within 100 ms even while it waits for a lock,
    // instead of completing unseen: the kill test then crashes truly before the commit.
    await dispatch.dataSource.query(
      `ALTER DATABASE "${dispatch.dataSource.driver.database}" SET client_connection_check_interval = '100ms'`,
    );
    const project = await insertProject(dispatch.dataSource);
    return new IngesterHarness(dispatch, project);
  }

  get dataSource() {
    return this.dispatch.dataSource;
  }

  get receiver() {
    return this.dispatch.receiver;
  }

  async startIngester(env: Record<string, string> = {}): Promise<ServiceProcess> {
    const ingester = spawnService('ingester', await freePort(), { ...this.dispatch.env, ...FAST_INGESTER_ENV, ...env });
    this.ingesters.push(ingester);
    await ingester.waitForReady();
    return ingester;
  }

  endpoint(path: string, fields: Partial<EndpointEntity> = {}): Promise<EndpointEntity> {
    return insertEndpoint(this.dataSource, this.project.id, {
      url: this.receiver.url(path),
      secrets: [{ uid: 's1', value: 'secret', created_at: '2024-01-01T00:00:00Z', expires_at: null }],
      ...fields,
    });
  }

  source(pubSub: PubSubConfig, fields: Partial<NewSource> = {}): Promise<SourceEntity> {
    return new SourcesRepository(this.dataSource).insert({
      projectId: this.project.id,
      name: `source-${randomBytes(3).toString('hex')}`,
      type: SourceType.PubSub,
      maskId: randomBytes(8).toString('hex'),
      pubSub,
      ...fields,
    });
  }

  async changeSource(source: SourceEntity, changes: Partial<SourceEntity>): Promise<void> {
    await new SourcesRepository(this.dataSource).applyChanges(this.project.id, source.id, changes);
  }

  /** Waits until the ingester logged a line with these fields (see logLineMatches), `times` times. */
  async logged(
    ingester: ServiceProcess,
    fields: Record<string, unknown>,
    times = 1,
    timeoutMs = 20_000,
  ): Promise<void> {
    const count = () => ingester.logLines().filter((line) => logLineMatches(line, fields)).length;
    await eventually(
      async () => count(),
      (seen) => seen >= times,
      timeoutMs,
    );
    if (count() < times) {
      throw new Error(`ingester never logged ${String(fields['msg'])} ${times} time(s):\n${ingester.output()}`);
    }
  }

  consuming(ingester: ServiceProcess, source: SourceEntity, times = 1): Promise<void> {
    return this.logged(ingester, { msg: 'consuming source', source_id: source.id }, times);
  }

  eventsOf(source: SourceEntity): Promise<EventEntity[]> {
    return this.dataSource
      .getRepository(EventEntity)
      .find({ where: { sourceId: source.id }, order: { createdAt: 'ASC' } });
  }

  async eventsEventually(source: SourceEntity, count: number, timeoutMs = 30_000): Promise<EventEntity[]> {
    const events = await eventually(
      () => this.eventsOf(source),
      (rows) => rows.length >= count,
      timeoutMs,
    );
    if (events.length < count) {
      throw new Error(`expected ${count} event(s) of source ${source.id}, found ${events.length}:\n${this.logs()}`);
    }
    return events;
  }

  /** The sum of a metric's samples whose labels include `labels`, read from an ingester's /metrics. */
  async metric(ingester: ServiceProcess, name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await (await fetch(`${ingester.url}/metrics`)).text();
    let total = 0;
    for (const line of text.split('\n')) {
      const match = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      const matches = Object.entries(labels).every(([key, value]) => (match[2] ?? '').includes(`${key}="${value}"`));
      if (matches) total += Number(match[3]);
    }
    return total;
  }

  async metricEventually(
    ingester: ServiceProcess,
    name: string,
    labels: Record<string, string>,
    atLeast: number,
  ): Promise<number> {
    return eventually(
      () => this.metric(ingester, name, labels),
      (value) => value >= atLeast,
      20_000,
    );
  }

  logs(): string {
    return [...this.ingesters.map((ingester) => ingester.output()), this.dispatch.logs()].join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.ingesters.map((ingester) => ingester.stop('SIGTERM')));
    await this.dispatch.stop();
  }
}
