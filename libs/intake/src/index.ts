export * from './lib/meta-event.publisher';
export * from './lib/intake.module';
