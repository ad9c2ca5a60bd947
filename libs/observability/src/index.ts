export * from './lib/logger';
export * from './lib/metrics.registry';
export * from './lib/readiness-check';
export * from './lib/readiness.service';
export * from './lib/consumer-health.service';
export * from './lib/health.controller';
export * from './lib/observability.module';
export * from './lib/http-metrics.middleware';
