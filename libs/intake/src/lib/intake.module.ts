import { Module } from '@nestjs/common';
import { EndpointDirectory } from './endpoint-directory.service';
import { EventDataSchemas } from './event-data-schemas.service';
import { IntakeService } from './intake.service';
import { ProjectDirectory } from './project-directory.service';

/**
 * The one way events enter Caravan, shared by the api and the ingester.
 * Needs PersistenceModule and MessagingModule (both global) in the app.
 */
@Module({
  providers: [IntakeService, ProjectDirectory, EndpointDirectory, EventDataSchemas],
  exports: [IntakeService, ProjectDirectory, EndpointDirectory, EventDataSchemas],
})
export class IntakeModule {}
