import { lintAll } from './support/lint-cases';

/**
 * The house style for file names (`kebab-case.<role>.ts`, eslint-file-names.mjs) is enforced
 * by lint. These cases lint real source text through the project's own ESLint config, as if
 * the file lived at the given path, so a weakened or unregistered rule makes this test fail.
 */

const PLAIN = 'export const answer = 42;\n';
const injectable = (name: string) =>
  `import { Injectable } from '@nestjs/common';\n@Injectable()\nexport class ${name} {}\n`;
const controller = `import { Controller } from '@nestjs/common';\n@Controller('x')\nexport class XController {}\n`;

type Case = [title: string, filePath: string, code: string, expected: RegExp | null];

const cases: Case[] = [
  ['a service in a .service.ts file', 'apps/api/src/events/events.service.ts', injectable('EventsService'), null],
  ['a spec of a role file', 'apps/api/src/events/events.controller.spec.ts', PLAIN, null],
  ['a plain module without a role', 'libs/domain/src/lib/retry-policy.ts', PLAIN, null],
  [
    'a migration with its timestamp',
    'libs/persistence/src/lib/migrations/1700000000000-init.migration.ts',
    PLAIN,
    null,
  ],
  ['fixtures in a testing folder', 'apps/api/src/testing/event-fixtures.helper.ts', PLAIN, null],
  ['camelCase', 'apps/api/src/events/eventsService.ts', PLAIN, /not kebab-case/],
  ['snake_case', 'libs/domain/src/lib/retry_policy.ts', PLAIN, /not kebab-case/],
  ['an unknown role', 'apps/api/src/events/events.stuff.ts', PLAIN, /not kebab-case/],
  ['an @Injectable without a role', 'apps/dispatcher/src/sender/endpoint-gate.ts', injectable('EndpointGate'), /role/],
  [
    'a @Controller outside .controller.ts',
    'apps/api/src/events/events.service.ts',
    controller,
    /events\.service\.ts.*\.controller\.ts/,
  ],
  ['fixtures beside a feature', 'apps/api/src/events/event-fixtures.helper.ts', PLAIN, /testing\//],
];

describe('lint: file names are kebab-case.<role>.ts', () => {
  const results = lintAll(
    ['caravan/file-names'],
    cases.map(([, filePath, code]) => ({ filePath, code })),
  );

  it.each(cases.map((c, i) => [...c, i] as const))('%s (%s)', (_title, _path, _code, expected, index) => {
    if (expected === null) expect(results[index]).toEqual([]);
    else expect(results[index]).toEqual([expect.stringMatching(expected)]);
  });

  it('leaves tests outside apps and libs alone', () => {
    const [outside] = lintAll(['caravan/file-names'], [{ filePath: 'test/ops/support/promql.ts', code: PLAIN }]);
    expect(outside).toEqual([]);
  });
});
