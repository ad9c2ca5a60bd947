import { Module } from '@nestjs/common';
import { IntakeService } from './intake.service';
import { MetaEventPublisher } from './meta-event.publisher';

/**
 * The one way events and meta events enter Caravan, shared by the api and the ingester.
 * Needs PersistenceModule and MessagingModule (both global) in the app.
 */
@Module({
  providers: [IntakeService, MetaEventPublisher],
  exports: [IntakeService, MetaEventPublisher],
})
export class IntakeModule {}
