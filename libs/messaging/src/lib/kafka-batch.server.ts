import { BeforeApplicationShutdown } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { ConsumerHealth } from '@caravan/observability';
import type { Consumer, Kafka } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { DoorbellBatchContext } from './doorbell-batch.context';
import { ConsumerTimings, DoorbellConsumer, DoorbellConsumerMetrics } from './doorbell.consumer';

/** One topic read by one consumer group, its batches handed to the `@EventPattern(pattern)` handler. */
export interface KafkaBatchSubscription {
  /** The pattern the handlers name; the topic itself comes from configuration. */
  pattern: string;
  /** Short name for /readyz and the restart metric, e.g. `sender`. */
  name: string;
  topic: string;
  groupId: string;
}

export interface KafkaBatchServerOptions {
  kafka: Kafka;
  subscriptions: KafkaBatchSubscription[];
  partitionsConcurrency: number;
  timings: ConsumerTimings;
  metrics: DoorbellConsumerMetrics;
  health: ConsumerHealth;
  /** Runs before each consumer connects (e.g. making sure the topics exist). */
  prepare?: () => Promise<unknown>;
  /** Waits between restarts (tests pass a fake). */
  wait?: (ms: number) => Promise<unknown>;
}

type ConsumerListener = (event: unknown) => void;

/**
 * A Nest microservice transport over kafkajs that hands whole batches to its handlers. Nest's
 * own Kafka transport calls a handler once per message; Caravan claims and routes a batch in
 * one statement, so each subscription runs a supervised `DoorbellConsumer` (`eachBatch`, chunks
 * of `CHUNK`, offsets resolved and committed only after the handler resolves, heartbeats while
 * it runs, restart with back-off, /readyz and the restart metric) whose chunks go to the
 * `@EventPattern` handler of its pattern as `(doorbells, DoorbellBatchContext)`. A handler that
 * throws leaves its chunk uncommitted, as it would without Nest.
 *
 * Boot never waits on Kafka: `listen` starts the consumers in the background. Used as a provider
 * too, it stops in `beforeApplicationShutdown`, so the consumers leave their groups before the
 * other shutdown hooks run and before Postgres closes; `close` is idempotent.
 */
export class KafkaBatchServer
  extends Server<Record<string, ConsumerListener>>
  implements CustomTransportStrategy, BeforeApplicationShutdown
{
  private readonly consumers = new Map<string, DoorbellConsumer<unknown>>();
  private readonly listeners: Array<[event: string, listener: ConsumerListener]> = [];
  private closing?: Promise<void>;

  constructor(private readonly options: KafkaBatchServerOptions) {
    super();
  }

  /** Starts one consumer per subscription; fails at boot if a pattern has no handler. */
  listen(callback: (error?: unknown) => void): void {
    if (this.closing) return callback();
    const unhandled = this.options.subscriptions.filter((s) => !this.getHandlerByPattern(s.pattern));
    if (unhandled.length > 0) {
      const patterns = unhandled.map((s) => s.pattern).join(', ');
      return callback(new Error(`no @EventPattern handler for ${patterns}`));
    }
    for (const subscription of this.options.subscriptions) {
      const consumer = this.consumerOf(subscription);
      this.consumers.set(subscription.pattern, consumer);
      const { events } = consumer.consumer;
      consumer.consumer.on(events.GROUP_JOIN, () => this._status$.next('connected'));
      consumer.consumer.on(events.CRASH, () => this._status$.next('crashed'));
      for (const [event, listener] of this.listeners) consumer.consumer.on(event as never, listener);
      consumer.start();
    }
    callback();
  }

  /** Stops fetching, ends each batch at its next chunk, commits, leaves the groups. */
  close(): Promise<void> {
    this.closing ??= Promise.all([...this.consumers.values()].map((consumer) => consumer.stop())).then(() => {
      this._status$.next('stopped');
    });
    return this.closing;
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /** Listens to a kafkajs consumer instrumentation event (`consumer.crash`, …) on every consumer. */
  on<E extends string = string, C extends ConsumerListener = ConsumerListener>(event: E, callback: C): void {
    this.listeners.push([event, callback]);
    for (const consumer of this.consumers.values()) consumer.consumer.on(event as never, callback);
  }

  /** The kafkajs consumers, by pattern. */
  unwrap<T = Map<string, Consumer>>(): T {
    if (this.consumers.size === 0) {
      throw new Error('Not initialized. Please call the "listen"/"startAllMicroservices" method first.');
    }
    return new Map([...this.consumers].map(([pattern, consumer]) => [pattern, consumer.consumer])) as T;
  }

  private consumerOf(subscription: KafkaBatchSubscription): DoorbellConsumer<unknown> {
    const { kafka, partitionsConcurrency, timings, metrics, health, prepare, wait } = this.options;
    return new DoorbellConsumer<unknown>({
      name: subscription.name,
      kafka,
      topic: subscription.topic,
      groupId: subscription.groupId,
      partitionsConcurrency,
      timings,
      metrics,
      health,
      prepare,
      wait,
      handle: (doorbells, signal, partition) =>
        this.dispatch(subscription, doorbells, new DoorbellBatchContext([subscription.topic, partition, signal])),
    });
  }

  /**
   * Runs the pattern's handler (Nest's proxy: pipes, interceptors, exception filters) and waits
   * for it to finish. Nest's exception filters turn a throw into an observable that errors with
   * a plain object; it becomes an Error again here, so the batch is not committed.
   */
  private async dispatch(
    subscription: KafkaBatchSubscription,
    doorbells: unknown[],
    context: DoorbellBatchContext,
  ): Promise<void> {
    const handler = this.getHandlerByPattern(subscription.pattern);
    if (!handler) throw new Error(`no @EventPattern handler for ${subscription.pattern}`);
    try {
      await lastValueFrom(this.transformToObservable(await handler(doorbells, context)), { defaultValue: undefined });
    } catch (reason) {
      throw handlerFailure(subscription.pattern, reason);
    }
  }
}

function handlerFailure(pattern: string, reason: unknown): Error {
  if (reason instanceof Error) return reason;
  const message = (reason as { message?: unknown } | null)?.message;
  return new Error(`the ${pattern} handler failed: ${typeof message === 'string' ? message : String(reason)}`);
}
