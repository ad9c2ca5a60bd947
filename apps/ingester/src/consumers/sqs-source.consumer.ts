import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  Message,
  MessageAttributeValue,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { PubSubConfig } from '@caravan/domain';
import { setTimeout as sleep } from 'node:timers/promises';
import { guardedHttpAgents } from './broker-connections.helper';
import type { ConsumerContext, SourceConsumer } from './source-consumer.interface';

type SqsSourceConfig = NonNullable<PubSubConfig['sqs']>;

/** Time kept in hand before the visibility timeout ends: a message is not started later than this. */
const VISIBILITY_MARGIN_MS = 2_000;

/**
 * Received batches (of at most 10, the service maximum) one worker of a standard queue has in
 * hand: the next receive goes out while the last batch is being ingested, instead of each
 * worker waiting for its batch's commit and delete before asking again (4 workers peaked near
 * 900 messages/s with one batch each, `npm run bench -- --ingest`). A FIFO queue keeps one, in order.
 */
export const SQS_BATCHES_IN_FLIGHT = 3;

interface QueueInfo {
  url: string;
  /** The queue has a redrive policy: SQS itself moves a message to its dead-letter queue. */
  deadLetters: boolean;
}

/**
 * Long-polls the source's queue. Competing consumers share it through the visibility
 * timeout: a received message is invisible to the others until it is deleted, which happens
 * only after its event is committed. A message not finished within its visibility timeout
 * is left alone (it reappears for another consumer). A refused message is released to be
 * moved to the queue's dead-letter queue when it has a redrive policy, otherwise deleted
 * with a logged reason. A transient failure makes it visible again after the retry delay.
 */
export class SqsSourceConsumer implements SourceConsumer {
  private readonly receiving = new AbortController();
  private stopping = false;
  private loop?: Promise<void>;
  private client?: SQSClient;

  constructor(private readonly context: ConsumerContext) {}

  private get config(): SqsSourceConfig {
    const config = this.context.binding.source.pubSub?.sqs;
    if (!config) throw new Error(`source ${this.context.binding.source.id} has no sqs config`);
    return config;
  }

  async start(): Promise<void> {
    const config = this.config;
    if (config.endpoint) {
      const refusal = this.context.guard.refuseUrl(config.endpoint);
      if (refusal) throw new Error(refusal);
    }
    this.client = new SQSClient({
      requestHandler: guardedHttpAgents(this.context.guard),
      region: config.default_region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      credentials: { accessKeyId: config.access_key_id, secretAccessKey: config.secret_key },
    });
    this.loop = this.run(this.client);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.receiving.abort();
    await Promise.race([this.loop, sleep(this.context.settings.drainTimeoutMs)]);
    this.client?.destroy();
  }

  private async run(client: SQSClient): Promise<void> {
    let queue: QueueInfo | undefined;
    const handling = new Set<Promise<void>>();
    while (!this.stopping) {
      try {
        queue ??= await this.queueInfo(client);
        const batches = queue.url.endsWith('.fifo') ? 1 : SQS_BATCHES_IN_FLIGHT;
        while (handling.size >= batches) await Promise.race(handling);
        if (this.stopping) break;
        const visibilitySeconds = this.context.settings.sqsVisibilitySeconds;
        const received = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: this.context.settings.sqsWaitSeconds,
            VisibilityTimeout: visibilitySeconds,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: this.receiving.signal },
        );
        this.context.status.up();
        const visibleAgainAt = this.context.clock.now() + visibilitySeconds * 1000 - VISIBILITY_MARGIN_MS;
        const work: Promise<void> = this.handleAll(client, queue, received.Messages ?? [], visibleAgainAt)
          .catch((error: Error) => {
            // Committed events stay committed; their undeleted messages come back and are found duplicates.
            this.context.metrics.consumerErrors.inc({ source_type: 'sqs' });
            this.context.logger.warn(
              { queue: this.config.queue_name, err: error },
              'received messages not finished; the unfinished ones will be redelivered',
            );
          })
          .finally(() => handling.delete(work));
        handling.add(work);
      } catch (error) {
        if (this.stopping) break;
        this.context.metrics.consumerErrors.inc({ source_type: 'sqs' });
        this.context.status.down((error as Error).message);
        this.context.logger.warn(
          { queue: this.config.queue_name, err: error },
          'cannot receive from the queue; retrying',
        );
        queue = undefined;
        await sleep(this.context.settings.retryDelayMs);
        if (!this.stopping) this.context.status.restarting();
      }
    }
    await Promise.all(handling);
  }

  private async queueInfo(client: SQSClient): Promise<QueueInfo> {
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: this.config.queue_name }));
    if (!QueueUrl) throw new Error(`queue ${this.config.queue_name} has no URL`);
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['RedrivePolicy'] }),
    );
    return { url: QueueUrl, deadLetters: Boolean(Attributes?.RedrivePolicy) };
  }

  private async handleAll(
    client: SQSClient,
    queue: QueueInfo,
    messages: Message[],
    visibleAgainAt: number,
  ): Promise<void> {
    const done: Message[] = [];
    const one = async (message: Message) => {
      if (this.context.clock.now() >= visibleAgainAt) return; // another consumer may have it by now
      if (await this.handle(client, queue, message)) done.push(message);
    };
    if (queue.url.endsWith('.fifo')) {
      for (const message of messages) await one(message); // a FIFO queue's order is kept
    } else {
      await Promise.all(messages.map(one));
    }
    if (done.length === 0) return;
    const { Failed } = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
    if (Failed?.length) {
      this.context.logger.warn(
        { messages: Failed.length, reason: Failed[0]?.Message },
        'committed messages not deleted; they will be redelivered',
      );
    }
  }

  /** True when the message is to be deleted (its event is committed, or it is dropped). */
  private async handle(client: SQSClient, queue: QueueInfo, message: Message): Promise<boolean> {
    const receives = message.Attributes?.ApproximateReceiveCount ?? '?';
    const where = `sqs queue ${this.config.queue_name} message ${message.MessageId} (receive ${receives})`;
    try {
      const outcome = await this.context.ingestor.ingest(this.context.binding, {
        body: Buffer.from(message.Body ?? '', 'utf8'),
        attributes: attributesOf(message.MessageAttributes),
        where,
        identity: message.MessageId ? `sqs:${message.MessageId}` : null,
      });
      if (outcome.accepted || !queue.deadLetters) return true;
      // Visible again at once: SQS moves it to the dead-letter queue after maxReceiveCount.
      await this.changeVisibility(client, queue, message, 0);
      return false;
    } catch (error) {
      this.context.logger.warn(
        { where, err: error, retry_in_ms: this.context.settings.retryDelayMs },
        'message not ingested; redelivered later',
      );
      await this.changeVisibility(client, queue, message, Math.ceil(this.context.settings.retryDelayMs / 1000));
      return false;
    }
  }

  private async changeVisibility(
    client: SQSClient,
    queue: QueueInfo,
    message: Message,
    seconds: number,
  ): Promise<void> {
    await client
      .send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queue.url,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: seconds,
        }),
      )
      .catch(() => undefined); // it reappears when its visibility timeout ends anyway
  }
}

function attributesOf(attributes: Record<string, MessageAttributeValue> | undefined): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value.StringValue !== undefined) strings[name] = value.StringValue;
  }
  return strings;
}
