import { Module } from '@nestjs/common';
import { MetaEventPublisher } from './meta-event.publisher';

/**
 * The one way events and meta events enter Caravan, shared by the api and the ingester.
 * Needs PersistenceModule and MessagingModule (both global) in the app.
 */
@Module({
  providers: [MetaEventPublisher],
  exports: [MetaEventPublisher],
})
export class IntakeModule {}
