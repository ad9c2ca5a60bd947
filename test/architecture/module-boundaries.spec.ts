import { lintAll } from './support/lint-cases';

/**
 * The dependency rules of docs/architecture.md#layout-and-dependency-rules are enforced by lint. These cases feed real source text
 * through the project's own ESLint config, as if the file lived at the given path, so a
 * weakened constraint (e.g. back to `* → *`) makes this test fail.
 */
const RULES = ['@nx/enforce-module-boundaries', 'no-restricted-imports'];

const use = (specifier: string, name: string) =>
  `import { ${name} } from '${specifier}';\nexport const used = ${name};\n`;

type Case = [title: string, filePath: string, code: string];

const forbidden: Case[] = [
  ['domain may not import persistence', 'libs/domain/src/lib/x.ts', use('@caravan/persistence', 'PersistenceModule')],
  ['domain may not import config', 'libs/domain/src/lib/x.ts', use('@caravan/config', 'loadConfig')],
  ['domain may not import a framework', 'libs/domain/src/lib/x.ts', use('@nestjs/common', 'Injectable')],
  ['domain may not import the ORM', 'libs/domain/src/lib/x.ts', use('typeorm', 'DataSource')],
  [
    'persistence may not import messaging',
    'libs/persistence/src/lib/x.ts',
    use('@caravan/messaging', 'MessagingModule'),
  ],
  [
    'messaging may not import persistence',
    'libs/messaging/src/lib/x.ts',
    use('@caravan/persistence', 'PersistenceModule'),
  ],
  [
    'observability may not import persistence',
    'libs/observability/src/lib/x.ts',
    use('@caravan/persistence', 'PersistenceModule'),
  ],
  ['sandbox may not import persistence', 'libs/sandbox/src/lib/x.ts', use('@caravan/persistence', 'PersistenceModule')],
  ['sandbox may not import a framework', 'libs/sandbox/src/lib/x.ts', use('@nestjs/common', 'Injectable')],
  ['a lib may not import intake upwards', 'libs/persistence/src/lib/x.ts', use('@caravan/intake', 'Anything')],
  ['intake may not import meta-events', 'libs/intake/src/lib/x.ts', use('@caravan/meta-events', 'MetaEventPublisher')],
  ['meta-events may not import intake', 'libs/meta-events/src/lib/x.ts', use('@caravan/intake', 'IntakeService')],
  ['intake may not import platform', 'libs/intake/src/lib/x.ts', use('@caravan/platform', 'PlatformModule')],
  ['observability may not import platform', 'libs/observability/src/lib/x.ts', use('@caravan/platform', 'runService')],
  [
    'production app code may not import libs/testing',
    'apps/api/src/x.ts',
    use('@caravan/testing', 'createTestDatabase'),
  ],
  ['an app may not import the ORM', 'apps/dispatcher/src/x.ts', use('typeorm', 'DataSource')],
  [
    'an app may not import the ORM for a type either',
    'apps/api/src/x.ts',
    `import type { EntityManager } from 'typeorm';\nexport type M = EntityManager;\n`,
  ],
  ['app tests may not import the ORM', 'apps/api/src/x.spec.ts', use('typeorm', 'QueryFailedError')],
  ['an app may not import the Postgres driver', 'apps/ingester/src/x.ts', use('pg', 'Pool')],
  [
    'an app may not import another app',
    'apps/api/src/x.ts',
    use('../../dispatcher/src/dispatcher.module', 'DispatcherModule'),
  ],
];

const allowed: Case[] = [
  ['intake may use persistence', 'libs/intake/src/lib/x.ts', use('@caravan/persistence', 'PersistenceModule')],
  ['intake may use messaging', 'libs/intake/src/lib/x.ts', use('@caravan/messaging', 'MessagingModule')],
  [
    'persistence may use observability',
    'libs/persistence/src/lib/x.ts',
    use('@caravan/observability', 'MetricsRegistry'),
  ],
  ['domain may use ulid', 'libs/domain/src/lib/x.ts', use('ulid', 'ulid')],
  ['meta-events may use persistence', 'libs/meta-events/src/lib/x.ts', use('@caravan/persistence', 'ProjectEntity')],
  ['meta-events may use messaging', 'libs/meta-events/src/lib/x.ts', use('@caravan/messaging', 'DoorbellRinger')],
  ['platform may use intake', 'libs/platform/src/lib/x.ts', use('@caravan/intake', 'IntakeModule')],
  ['platform may use meta-events', 'libs/platform/src/lib/x.ts', use('@caravan/meta-events', 'MetaEventsModule')],
  ['platform may use observability', 'libs/platform/src/lib/x.ts', use('@caravan/observability', 'createLogger')],
  ['an app may use platform', 'apps/api/src/x.ts', use('@caravan/platform', 'runService')],
  ['an app may use any lib', 'apps/dispatcher/src/x.ts', use('@caravan/intake', 'Anything')],
  ['the ingester may use the sandbox', 'apps/ingester/src/x.ts', use('@caravan/sandbox', 'TransformPool')],
  ['the dispatcher may use the sandbox', 'apps/dispatcher/src/x.ts', use('@caravan/sandbox', 'TransformPool')],
  ['sandbox may use domain', 'libs/sandbox/src/lib/x.ts', use('@caravan/domain', 'newId')],
  ['persistence may use the ORM', 'libs/persistence/src/lib/x.ts', use('typeorm', 'DataSource')],
  ['an app may use the repositories', 'apps/api/src/x.ts', use('@caravan/persistence', 'EventsRepository')],
  ['app tests may use libs/testing', 'apps/api/src/x.spec.ts', use('@caravan/testing', 'createTestDatabase')],
];

describe('module boundaries (docs/architecture.md)', () => {
  let results: Map<string, string[]>;

  beforeAll(() => {
    const cases = [...forbidden, ...allowed];
    const errors = lintAll(
      RULES,
      cases.map(([, filePath, code]) => ({ filePath, code })),
    );
    results = new Map(cases.map(([title], index) => [title, errors[index]]));
  }, 120_000);

  it.each(forbidden)('%s', (title) => {
    expect(results.get(title)?.length).toBeGreaterThan(0);
  });

  it.each(allowed)('%s', (title) => {
    expect(results.get(title)).toEqual([]);
  });
});
