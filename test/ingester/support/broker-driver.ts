import type { PubSubConfig, PubSubType } from '@caravan/domain';

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
  close(): Promise<void>;
}
