import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { IngesterSettings } from '@caravan/config';
import { ProjectEntity, ProjectsRepository, SourceEntity, SourcesRepository } from '@caravan/persistence';
import type { SourceConsumer } from '../consumers/source-consumer.interface';
import { SourceConsumerFactory } from '../consumers/source-consumer.factory';
import { INGESTER_SETTINGS } from '../ingester-settings.token';
import { IngesterMetrics } from '../ingestion/ingester.metrics';
import { TransformPool } from '@caravan/sandbox';
import { SourceTransforms } from '../transform/source-transforms';
import type { SourceBinding } from './source-binding.interface';

interface RunningSource {
  /** What the consumers were built from; any change restarts them. */
  fingerprint: string;
  binding: SourceBinding;
  consumers: SourceConsumer[];
}

/**
 * The live set of consumers: every enabled pub_sub source of a live project gets `workers`
 * consumers. Polls the sources table's change marker; when it moves, reloads the sources and
 * starts the new ones, restarts the changed ones and stops the disabled or deleted ones,
 * leaving every other consumer alone. Replicas each run the same set; the brokers share the
 * messages between them (consumer groups, visibility, competing consumers, subscriptions).
 */
@Injectable()
export class SourceRegistry implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SourceRegistry.name);
  private readonly running = new Map<string, RunningSource>();
  private marker?: string;
  private timer?: NodeJS.Timeout;
  private syncing?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly sources: SourcesRepository,
    private readonly projects: ProjectsRepository,
    private readonly consumers: SourceConsumerFactory,
    private readonly pool: TransformPool,
    private readonly metrics: IngesterMetrics,
    @Inject(INGESTER_SETTINGS) private readonly settings: IngesterSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.tick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.syncing;
    const all = [...this.running.entries()];
    this.running.clear();
    await Promise.all(all.map(([id, running]) => this.stopSource(id, running, 'shutting down')));
  }

  /** Ids of the sources being consumed (for tests and diagnostics). */
  runningSourceIds(): string[] {
    return [...this.running.keys()];
  }

  /** Brings the consumers in line with the table, if the change marker moved. */
  async sync(): Promise<void> {
    const marker = await this.sources.pubSubChangeMarker();
    if (marker === this.marker) return;
    const wanted = await this.loadWanted();
    for (const [id, running] of [...this.running.entries()]) {
      const next = wanted.get(id);
      if (next && fingerprint(next.source) === running.fingerprint) {
        running.binding.project = next.project;
        continue;
      }
      this.running.delete(id);
      await this.stopSource(id, running, next ? 'changed' : 'disabled or deleted');
    }
    for (const [id, { source, project }] of wanted) {
      if (this.stopped) return;
      if (!this.running.has(id)) this.running.set(id, await this.startSource(source, project));
    }
    this.marker = marker;
  }

  private tick(): void {
    this.syncing = this.sync()
      .catch((error: Error) => this.logger.error({ err: error }, 'could not load the pub_sub sources'))
      .finally(() => {
        if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.settings.sourcesPollMs);
      });
  }

  private async loadWanted(): Promise<Map<string, { source: SourceEntity; project: ProjectEntity }>> {
    const sources = (await this.sources.listEnabledPubSub()).filter((source) => source.pubSub);
    const projects = new Map<string, ProjectEntity>();
    for (const projectId of new Set(sources.map((source) => source.projectId))) {
      const project = await this.projects.findById(projectId);
      if (project) projects.set(projectId, project);
    }
    const wanted = new Map<string, { source: SourceEntity; project: ProjectEntity }>();
    for (const source of sources) {
      const project = projects.get(source.projectId);
      if (project) wanted.set(source.id, { source, project });
    }
    return wanted;
  }

  private async startSource(source: SourceEntity, project: ProjectEntity): Promise<RunningSource> {
    const pubSub = source.pubSub;
    const type = pubSub?.type ?? 'unknown';
    const workers = Math.max(1, pubSub?.workers ?? 1);
    const binding: SourceBinding = { source, project, transforms: SourceTransforms.forSource(this.pool, source) };
    const consumers: SourceConsumer[] = [];
    const inUse = this.consumersOfProject(project.id);
    if (inUse + workers > this.settings.maxConsumersPerProject) {
      // One tenant's sources must not take every connection and worker of the ingester.
      this.metrics.consumerErrors.inc({ source_type: type });
      this.logger.error(
        {
          project_id: project.id,
          source_id: source.id,
          source_type: type,
          workers,
          running: inUse,
          limit: this.settings.maxConsumersPerProject,
        },
        'cannot consume source: its workers would take the project past CARAVAN_INGESTER_MAX_CONSUMERS_PER_PROJECT',
      );
      return { fingerprint: fingerprint(source), binding, consumers };
    }
    try {
      for (let worker = 0; worker < workers; worker++) {
        const consumer = this.consumers.create(binding, worker);
        // Kept even if its start fails: it is reported down (/readyz) until the source changes.
        consumers.push(consumer);
        await consumer.start();
      }
      this.logger.log({ project_id: project.id, source_id: source.id, source_type: type, workers }, 'consuming source');
    } catch (error) {
      // A configuration the broker client refuses outright; retried when the source changes.
      this.metrics.consumerErrors.inc({ source_type: type });
      this.logger.error(
        { project_id: project.id, source_id: source.id, source_type: type, err: error },
        'cannot consume source',
      );
    }
    this.metrics.consumers.inc({ source_type: type }, consumers.length);
    return { fingerprint: fingerprint(source), binding, consumers };
  }

  private consumersOfProject(projectId: string): number {
    let total = 0;
    for (const running of this.running.values()) {
      if (running.binding.source.projectId === projectId) total += running.consumers.length;
    }
    return total;
  }

  private async stopSource(id: string, running: RunningSource, why: string): Promise<void> {
    const type = running.binding.source.pubSub?.type ?? 'unknown';
    await Promise.all(
      running.consumers.map((consumer) =>
        consumer
          .stop()
          .catch((error: Error) =>
            this.logger.warn(
              { project_id: running.binding.project.id, source_id: id, err: error },
              'stopping a consumer failed',
            ),
          ),
      ),
    );
    this.metrics.consumers.dec({ source_type: type }, running.consumers.length);
    this.logger.log({ project_id: running.binding.project.id, source_id: id, reason: why }, 'stopped consuming source');
  }
}

function fingerprint(source: SourceEntity): string {
  return JSON.stringify([source.projectId, source.pubSub, source.bodyFunction, source.headerFunction]);
}
