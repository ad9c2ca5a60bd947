export * from './lib/caravan-config';
export * from './lib/load-config';
