import { Module } from '@nestjs/common';
import { MetaEventPublisher } from './meta-event.publisher';

/**
 * Meta events (`endpoint.*`, `eventdelivery.*`): Convoy's payloads and the one publisher,
 * shared by the api and the dispatcher. Needs PersistenceModule and MessagingModule (both
 * global) in the app; PlatformModule imports it.
 */
@Module({
  providers: [MetaEventPublisher],
  exports: [MetaEventPublisher],
})
export class MetaEventsModule {}
