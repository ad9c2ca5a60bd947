export * from './lib/platform.module';
export * from './lib/service-runner';
