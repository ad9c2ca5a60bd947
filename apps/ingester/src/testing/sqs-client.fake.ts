import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * The SQS calls a consumer makes once it holds messages, recorded: the batch deletes (ids by
 * receipt handle) and the visibility changes. Receiving is not faked; tests hand the consumer
 * its messages.
 */
export class RecordingSqsClient {
  readonly deleted: string[] = [];
  readonly visibility: Array<{ receiptHandle: string; seconds: number }> = [];

  get client(): SQSClient {
    return this as unknown as SQSClient;
  }

  async send(command: unknown): Promise<unknown> {
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
