import { BaseRpcContext } from '@nestjs/microservices';

type DoorbellBatchArgs = [topic: string, partition: number, signal: AbortSignal];

/**
 * What an `@EventPattern` handler of `KafkaBatchServer` gets beside the doorbells (`@Ctx()`):
 * where the batch came from and the signal that aborts when the group rebalances or the
 * consumer stops (the handler should then return soon; the batch is not committed).
 */
export class DoorbellBatchContext extends BaseRpcContext<DoorbellBatchArgs> {
  getTopic(): string {
    return this.args[0];
  }

  getPartition(): number {
    return this.args[1];
  }

  getSignal(): AbortSignal {
    return this.args[2];
  }
}
