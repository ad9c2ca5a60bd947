export * from './lib/transform-failed.error';
export * from './lib/transform-pool';
