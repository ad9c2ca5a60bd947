import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * The SQS calls a consumer makes, recorded: the batch deletes (ids by receipt handle) and the
 * visibility changes. A receive takes the next of `toReceive`'s batches, or long-polls until
 * its request is aborted when there is none.
 */
export class RecordingSqsClient {
  readonly deleted: string[] = [];
  readonly visibility: Array<{ receiptHandle: string; seconds: number }> = [];
  readonly toReceive: Message[][] = [];
  receives = 0;

  constructor(private readonly queueUrl = 'https://sqs.test/orders') {}

  get client(): SQSClient {
    return this as unknown as SQSClient;
  }

  async send(command: unknown, options: { abortSignal?: AbortSignal } = {}): Promise<unknown> {
    if (command instanceof GetQueueUrlCommand) return { QueueUrl: this.queueUrl };
    if (command instanceof GetQueueAttributesCommand) return { Attributes: {} };
    if (command instanceof ReceiveMessageCommand) {
      this.receives += 1;
      const batch = this.toReceive.shift();
      if (batch) return { Messages: batch };
      return new Promise((_resolve, reject) =>
        options.abortSignal?.addEventListener('abort', () => reject(new Error('receive aborted')), { once: true }),
      );
    }
    if (command instanceof DeleteMessageBatchCommand) {
      this.deleted.push(...(command.input.Entries ?? []).map((entry) => entry.ReceiptHandle ?? ''));
      return { Successful: [], Failed: [] };
    }
    if (command instanceof ChangeMessageVisibilityCommand) {
      this.visibility.push({
        receiptHandle: command.input.ReceiptHandle ?? '',
        seconds: command.input.VisibilityTimeout ?? -1,
      });
      return {};
    }
    throw new Error(`unexpected SQS call ${String((command as object).constructor.name)}`);
  }
}

/** An SQS message with a JSON body; its receipt handle is `rh-<id>`. */
export function sqsMessage(id: string, body: object, attributes: Record<string, string> = {}): Message {
  return {
    MessageId: id,
    ReceiptHandle: `rh-${id}`,
    Body: JSON.stringify(body),
    Attributes: { ApproximateReceiveCount: '1' },
    MessageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
    ),
  };
}
