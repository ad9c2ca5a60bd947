export * from './lib/test-database.helper';
export * from './lib/fixtures.helper';
export * from './lib/service-process';
export * from './lib/kafka-instance';
export * from './lib/entity-builders.helper';
