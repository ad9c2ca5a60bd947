import type { EachBatchPayload, KafkaMessage } from 'kafkajs';

/**
 * One `eachBatch` call as kafkajs makes it, recording what the consumer did with it: offsets
 * resolved, heartbeats, commits. `rebalancing` makes heartbeats fail; `stale` and `running`
 * are what kafkajs reports when the group moved on or the consumer is stopping.
 */
export class FakeKafkaBatch {
  readonly resolved: string[] = [];
  heartbeats = 0;
  commits = 0;
  rebalancing = false;
  stale = false;
  running = true;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly messages: KafkaMessage[],
    public highWatermark: string,
  ) {}

  /** Messages at consecutive offsets from `first`, each with a JSON body. */
  static of(topic: string, partition: number, first: number, bodies: object[]): FakeKafkaBatch {
    const messages = bodies.map((body, i) => ({
      key: null,
      value: Buffer.from(JSON.stringify(body)),
      timestamp: '0',
      attributes: 0,
      offset: String(first + i),
      headers: {},
    }));
    return new FakeKafkaBatch(topic, partition, messages, String(first + bodies.length));
  }

  payload(): EachBatchPayload {
    return {
      batch: {
        topic: this.topic,
        partition: this.partition,
        highWatermark: this.highWatermark,
        messages: this.messages,
      } as EachBatchPayload['batch'],
      resolveOffset: (offset: string) => void this.resolved.push(offset),
      heartbeat: async () => {
        if (this.rebalancing) throw new Error('The group is rebalancing, so a rejoin is needed');
        this.heartbeats++;
      },
      commitOffsetsIfNecessary: async () => {
        this.commits++;
      },
      isRunning: () => this.running,
      isStale: () => this.stale,
      uncommittedOffsets: () => ({ topics: [] }),
      pause: () => () => undefined,
    };
  }
}
