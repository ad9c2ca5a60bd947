export * from './lib/meta-event.payloads';
export * from './lib/meta-event.publisher';
export * from './lib/meta-events.module';
export * from './lib/go-duration';
