import type { PubSubConfig, PubSubType } from '@caravan/domain';
import type { BrokerProcess } from './process-cpu';

/**
 * Unacknowledged messages per consumer: the ingester's (CARAVAN_INGESTER_PREFETCH, which the
 * ingester processes the tests start inherit; 20 by default).
 */
export const DRAIN_PREFETCH = Number(process.env['CARAVAN_INGESTER_PREFETCH'] ?? 20);

/** When a drain saw its first message and acknowledged its last (Date.now() ms). */
export interface DrainTiming {
  first: number;
  last: number;
}

/**
 * Settles when `count` distinct messages have been seen; `seen(id)` returns false for a
 * redelivery. Timing starts at the first message.
 */
export class DrainCounter {
  private readonly ids = new Set<string>();
  private first = 0;
  private resolve?: (timing: DrainTiming) => void;
  readonly done: Promise<DrainTiming>;

  constructor(private readonly count: number) {
    this.done = new Promise((resolve) => (this.resolve = resolve));
  }

  get complete(): boolean {
    return this.ids.size >= this.count;
  }

  seen(id: string): boolean {
    if (this.ids.size === 0) this.first = Date.now();
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size === this.count) this.resolve?.({ first: this.first, last: Date.now() });
    return true;
  }
}

/** What the shared ingester scenarios need from one broker, through its real client. */
export interface BrokerDriver {
  readonly type: PubSubType;
  /** A fresh, unique channel name (nothing created yet). */
  channelName(): string;
  /** Creates a topic / queue / subscription (a fresh name unless given) and returns its name. */
  createChannel(name?: string): Promise<string>;
  /** A source's pub_sub config that consumes the channel. */
  pubSubConfig(channel: string): PubSubConfig;
  /** Publishes one message with attributes / headers, as a producer would. */
  publish(channel: string, body: string, attributes?: Record<string, string>): Promise<void>;
  /**
   * Messages the broker dead-lettered from the channel, when the broker has a dead-letter
   * mechanism the channel was created with; undefined when it has none (the message is
   * then dropped with a logged reason and a metric).
   */
  deadLettered?(channel: string): Promise<string[]>;
  /**
   * Consumes `count` messages from the channel with a bare client of the library the ingester
   * uses, `concurrency` consumers as the ingester's workers would be, acknowledging each message
   * and doing nothing else with it: what the broker and its client can do on their own.
   */
  drain(channel: string, count: number, concurrency: number): Promise<DrainTiming>;
  /** How the broker's server process is found on this machine, for its CPU time. */
  readonly brokerProcess: BrokerProcess;
  close(): Promise<void>;
}
