/**
 * The part of the domain that runs in a browser (no Node built-ins): the dashboard shows the
 * same retry rules and runs the same filter checks as the api, from the same code.
 */
export * from './lib/statuses';
export { canForceResend, canManuallyRetry } from './lib/delivery-state-machine';
export { matchesFilter, matchesHeaderFilter, validateFilterExpression } from './lib/filter-matcher';
export { SourceProvider } from './lib/sources';
export { PROVIDER_RULES } from './lib/source-providers';
