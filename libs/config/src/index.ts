export * from './lib/caravan-config';
export * from './lib/config-reference.renderer';
export * from './lib/load-config';
