export * from './lib/meta-event.publisher';
export * from './lib/intake.service';
export * from './lib/event-rejected.exception';
export * from './lib/intake.module';
