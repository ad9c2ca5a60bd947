export * from './lib/meta-event.publisher';
export * from './lib/intake.service';
export * from './lib/event-rejected.exception';
export * from './lib/intake.module';
export * from './lib/meta-event.payloads';
export * from './lib/go-duration';
export * from './lib/project-directory';
export * from './lib/platform.module';
