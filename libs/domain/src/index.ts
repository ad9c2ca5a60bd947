export * from './lib/ids';
export * from './lib/statuses';
export * from './lib/project-config';
export * from './lib/endpoints';
export * from './lib/sources';
export * from './lib/filters';
export * from './lib/meta-events';
export * from './lib/messages';
