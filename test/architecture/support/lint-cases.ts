import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const workspaceRoot = join(__dirname, '..', '..', '..');

// ESLint loads its flat config with a dynamic import, which Jest's VM cannot run, so the
// linting happens in a child Node process (the real ESLint, the real config).
const LINT_SCRIPT = `
const { ESLint } = require('eslint');
const path = require('node:path');
const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const rules = JSON.parse(process.env.CARAVAN_LINT_RULES);
const eslint = new ESLint({ cwd: process.cwd() });
(async () => {
  const out = [];
  for (const { filePath, code } of cases) {
    const [result] = await eslint.lintText(code, { filePath: path.join(process.cwd(), filePath) });
    out.push(result.messages.filter((m) => rules.includes(m.ruleId)).map((m) => m.message));
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

/**
 * Lints each case's source text through the project's own ESLint config, as if the file lived
 * at its path (relative to the workspace root), and returns each case's messages of `rules`.
 */
export function lintAll(rules: readonly string[], cases: Array<{ filePath: string; code: string }>): string[][] {
  const output = execFileSync(process.execPath, ['-e', LINT_SCRIPT], {
    cwd: workspaceRoot,
    input: JSON.stringify(cases),
    encoding: 'utf8',
    env: { ...process.env, CARAVAN_LINT_RULES: JSON.stringify(rules) },
  });
  return JSON.parse(output) as string[][];
}
