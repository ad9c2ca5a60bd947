import { Module } from '@nestjs/common';
import { EventDataSchemas } from './event-data-schemas';
import { IntakeService } from './intake.service';
import { MetaEventPublisher } from './meta-event.publisher';
import { ProjectDirectory } from './project-directory';

/**
 * The one way events and meta events enter Caravan, shared by the api and the ingester.
 * Needs PersistenceModule and MessagingModule (both global) in the app.
 */
@Module({
  providers: [IntakeService, MetaEventPublisher, ProjectDirectory, EventDataSchemas],
  exports: [IntakeService, MetaEventPublisher, ProjectDirectory, EventDataSchemas],
})
export class IntakeModule {}
