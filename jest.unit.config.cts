import type { Config } from 'jest';
const { join } = require('node:path') as typeof import('node:path');

/**
 * The unit tier: pure rules and the services' rules over in-memory fakes with a manual clock.
 * No Postgres, Kafka, build or browser, so it runs alone in well under a minute
 * (`./scripts/test.sh --unit`, or `npx nx run testing:unit`). Every other spec belongs to the
 * slower tiers that the whole suite (`jest.config.ts`) runs, which includes these files too.
 *
 * What belongs here: every `*.unit.spec.ts`, every spec of `libs/domain` and of the
 * dashboard's `src/lib`, and the listed specs that touch no infrastructure.
 */
const UNIT_SPECS: Record<string, string[]> = {
  'libs/domain': ['src/**/*.spec.ts'],
  'libs/config': ['src/lib/load-config.spec.ts'],
  'libs/intake': ['src/**/*.unit.spec.ts'],
  'libs/meta-events': ['src/**/*.unit.spec.ts', 'src/lib/go-duration.spec.ts'],
  'libs/messaging': ['src/**/*.unit.spec.ts', 'src/lib/doorbell.consumer.spec.ts'],
  'libs/observability': ['src/**/*.unit.spec.ts', 'src/lib/readiness.service.spec.ts'],
  'libs/platform': ['src/**/*.unit.spec.ts'],
  'apps/dashboard': ['src/lib/**/*.spec.ts'],
  'apps/dispatcher': [
    'src/**/*.unit.spec.ts',
    'src/sender/circuit-breaker.spec.ts',
    'src/sender/delivery-request.builder.spec.ts',
    'src/sender/endpoint-request.sender.spec.ts',
    'src/sender/lease-keeper.spec.ts',
    'src/sender/rate-limiter.spec.ts',
  ],
  'apps/api': [
    'src/**/*.unit.spec.ts',
    'src/common/api-exception.filter.spec.ts',
    'src/common/media-type.validator.spec.ts',
    'src/ingest/crc-rate.limiter.spec.ts',
    'src/ingest/ingest-body.spec.ts',
  ],
  'apps/ingester': ['src/**/*.unit.spec.ts', 'src/consumers/broker-attributes.helper.spec.ts'],
  test: ['faults/attribution.spec.ts'],
};

module.exports = (): Config => ({
  projects: Object.entries(UNIT_SPECS).map(([root, specs]) => {
    // Each project's own configuration (preset, module mappings), narrowed to its unit specs.
    const own = require(join(__dirname, root, 'jest.config.cts')) as Config;
    const rootDir = join(__dirname, root);
    return {
      ...own,
      rootDir,
      displayName: `unit:${String(own.displayName ?? root)}`,
      testMatch: specs.map((spec) => join(rootDir, spec)),
    };
  }),
});
