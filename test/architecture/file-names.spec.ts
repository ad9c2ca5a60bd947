import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The house style for file names (`kebab-case.<role>.ts`, eslint-file-names.mjs) is enforced
 * by lint. These cases lint real source text through the project's own ESLint config, as if
 * the file lived at the given path, so a weakened or unregistered rule makes this test fail.
 */
const workspaceRoot = join(__dirname, '..', '..');

// ESLint loads its flat config with a dynamic import, which Jest's VM cannot run, so the
// linting happens in a child Node process (the real ESLint, the real config).
const LINT_SCRIPT = `
const { ESLint } = require('eslint');
const path = require('node:path');
const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: process.cwd() });
(async () => {
  const out = [];
  for (const { filePath, code } of cases) {
    const [result] = await eslint.lintText(code, { filePath: path.join(process.cwd(), filePath) });
    out.push(result.messages.filter((m) => m.ruleId === 'caravan/file-names').map((m) => m.message));
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

function lintAll(cases: Array<{ filePath: string; code: string }>): string[][] {
  const output = execFileSync(process.execPath, ['-e', LINT_SCRIPT], {
    cwd: workspaceRoot,
    input: JSON.stringify(cases),
    encoding: 'utf8',
  });
  return JSON.parse(output) as string[][];
}

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
  const results = lintAll(cases.map(([, filePath, code]) => ({ filePath, code })));

  it.each(cases.map((c, i) => [...c, i] as const))('%s (%s)', (_title, _path, _code, expected, index) => {
    if (expected === null) expect(results[index]).toEqual([]);
    else expect(results[index]).toEqual([expect.stringMatching(expected)]);
  });

  it('leaves tests outside apps and libs alone', () => {
    const [outside] = lintAll([{ filePath: 'test/ops/support/promql.ts', code: PLAIN }]);
    expect(outside).toEqual([]);
  });
});
