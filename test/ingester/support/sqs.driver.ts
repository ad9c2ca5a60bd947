import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { PubSubConfig, PubSubType } from '@caravan/domain';
import { randomBytes } from 'node:crypto';
import { BrokerDriver, DrainCounter, DrainTiming } from './broker-driver';

export const SQS_ENDPOINT = process.env['CARAVAN_TEST_SQS_ENDPOINT'] ?? 'http://127.0.0.1:9324';
const REGION = 'elasticmq';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * SQS through @aws-sdk/client-sqs on ElasticMQ. Each queue gets a dead-letter queue
 * (redrive policy, maxReceiveCount 2), as an operator would set it up.
 */
export class SqsDriver implements BrokerDriver {
  readonly type = PubSubType.Sqs;
  private readonly client = new SQSClient({ region: REGION, endpoint: SQS_ENDPOINT, credentials: CREDENTIALS });
  private readonly queues: string[] = [];
  readonly brokerProcess = {
    pidfile: 'elasticmq/elasticmq.pid',
    executable: 'java',
    contains: ['org.elasticmq.server.Main'],
  };

  channelName(): string {
    return `test-ingester-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  }

  async createChannel(name = this.channelName()): Promise<string> {
    const dlq = await this.client.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    const { Attributes } = await this.client.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await this.client.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 2 }),
        },
      }),
    );
    this.queues.push(name, `${name}-dlq`);
    return name;
  }

  pubSubConfig(queue: string): PubSubConfig {
    return {
      type: PubSubType.Sqs,
      workers: 1,
      sqs: {
        queue_name: queue,
        default_region: REGION,
        access_key_id: 'test',
        secret_key: 'test',
        endpoint: SQS_ENDPOINT,
      },
    };
  }

  async publish(queue: string, body: string, attributes: Record<string, string> = {}): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: await this.url(queue),
        MessageBody: body,
        MessageAttributes: Object.fromEntries(
          Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
        ),
      }),
    );
  }

  async deadLettered(queue: string): Promise<string[]> {
    const { Messages } = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: await this.url(`${queue}-dlq`),
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    return (Messages ?? []).map((message) => message.Body ?? '');
  }

  /**
   * `concurrency` loops, each with its own client as each ingester worker has, receiving as the
   * ingester does (10 at a time, the same attributes) and deleting each batch at once.
   */
  async drain(queue: string, count: number, concurrency: number): Promise<DrainTiming> {
    const url = await this.url(queue);
    const counter = new DrainCounter(count);
    const loop = async () => {
      const client = new SQSClient({ region: REGION, endpoint: SQS_ENDPOINT, credentials: CREDENTIALS });
      try {
        while (!counter.complete) {
          const { Messages = [] } = await client.send(
            new ReceiveMessageCommand({
              QueueUrl: url,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
              VisibilityTimeout: 30,
              MessageAttributeNames: ['All'],
              MessageSystemAttributeNames: ['ApproximateReceiveCount'],
            }),
          );
          if (Messages.length === 0) continue;
          await client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: url,
              Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
            }),
          );
          for (const message of Messages) counter.seen(message.MessageId ?? '');
        }
      } finally {
        client.destroy();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
    return counter.done;
  }

  async close(): Promise<void> {
    for (const queue of this.queues) {
      await this.client.send(new DeleteQueueCommand({ QueueUrl: await this.url(queue) })).catch(() => undefined);
    }
    this.client.destroy();
  }

  private async url(queue: string): Promise<string> {
    const { QueueUrl } = await this.client.send(new GetQueueUrlCommand({ QueueName: queue }));
    return QueueUrl ?? '';
  }
}
