import { BeforeApplicationShutdown, Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { DeliveryDoorbell } from '@caravan/domain';
import { DoorbellBatchContext, DoorbellPattern, KafkaBatchServer } from '@caravan/messaging';
import { SHUTDOWN_TIMEOUT_MS } from '../common/dispatcher.tokens';
import { MetaEventSender } from '../meta-events/meta-event.sender';
import { SenderService } from './sender.service';

/**
 * Batches of `caravan.deliveries` doorbells (the sender's consumer group): `delivery` doorbells
 * go to the sender, `meta` doorbells to the meta-event sender. On shutdown it stops claiming,
 * stops the consumers (the batch in progress ends at its next chunk, commits, leaves the
 * group), lets the sends in flight finish within a bound (60 % of the service's shutdown
 * timeout), then aborts what is left and hands those rows back.
 */
@Controller()
export class SenderController implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SenderController.name);

  constructor(
    @Inject(SHUTDOWN_TIMEOUT_MS) private readonly shutdownTimeoutMs: number,
    private readonly sender: SenderService,
    private readonly metaSender: MetaEventSender,
    private readonly transport: KafkaBatchServer,
  ) {}

  @EventPattern(DoorbellPattern.deliveries)
  async send(@Payload() doorbells: DeliveryDoorbell[], @Ctx() context: DoorbellBatchContext): Promise<void> {
    const ids = (kind: DeliveryDoorbell['kind']) =>
      doorbells.filter((d) => d?.kind === kind && typeof d.delivery_id === 'string').map((d) => d.delivery_id);
    await Promise.all([this.sender.send(ids('delivery'), context.getSignal()), this.metaSender.send(ids('meta'))]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.sender.stop();
    const deadline = Date.now() + this.shutdownTimeoutMs * 0.6;
    await this.transport.close();
    const bound = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now())).unref(),
    );
    if ((await Promise.race([this.sender.drain(), bound])) === 'timeout') {
      const released = await this.sender.releaseInFlight();
      this.logger.warn({ released }, 'in-flight sends outlived the shutdown bound; claims released');
      await this.sender.drain();
    }
  }
}
