export * from './lib/intake.service';
export * from './lib/event-rejected.error';
export * from './lib/intake.module';
export * from './lib/project-directory.service';
export * from './lib/event-data-schemas.service';
export * from './lib/endpoint-directory.service';
