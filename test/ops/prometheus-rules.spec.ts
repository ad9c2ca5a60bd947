/**
 * The alert rules on the real tool: `promtool check rules` parses them, and `promtool test rules`
 * runs deploy/prometheus/alerts.test.yml, which shows every alert pending before its `for`,
 * firing with its labels and annotations (runbook link included), and silent on a close series.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { REPO_ROOT } from './support/catalogue';
import { prometheusBinary } from './support/prometheus-binaries';

const RULES = join(REPO_ROOT, 'deploy', 'prometheus', 'alerts.yml');
const RULE_TESTS = join(REPO_ROOT, 'deploy', 'prometheus', 'alerts.test.yml');

interface Rule {
  alert: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface ExpectedAlert {
  exp_labels?: Record<string, string>;
  exp_annotations?: Record<string, string>;
}
interface RuleTest {
  name: string;
  alert_rule_test: { eval_time: string; alertname: string; exp_alerts?: ExpectedAlert[] }[];
}

const rules = (parseYaml(readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (group) => group.rules,
);
const ruleTests = (parseYaml(readFileSync(RULE_TESTS, 'utf8')) as { tests: RuleTest[] }).tests;

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync(prometheusBinary('promtool'), args, { encoding: 'utf8', cwd: REPO_ROOT });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const minutes = (duration: string): number => {
  const match = /^(\d+)([smh])$/.exec(duration);
  if (!match) throw new Error(`unexpected duration ${duration}`);
  return (Number(match[1]) * { s: 1 / 60, m: 1, h: 60 }[match[2] as 's' | 'm' | 'h']) as number;
};

describe('alert rules on promtool', () => {
  jest.setTimeout(60_000);

  it('promtool check rules accepts deploy/prometheus/alerts.yml', () => {
    const result = promtool('check', 'rules', RULES);
    expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(result.status).toBe(0);
  });

  it('promtool test rules passes deploy/prometheus/alerts.test.yml', () => {
    const result = promtool('test', 'rules', RULE_TESTS);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it.each(rules.map((rule) => [rule.alert, rule] as const))(
    '%s is shown pending, firing with its labels and runbook, and silent on a close series',
    (alert, rule) => {
      const evals = ruleTests.flatMap((test) =>
        test.alert_rule_test.filter((check) => check.alertname === alert).map((check) => ({ test, check })),
      );
      const firing = evals.filter(({ check }) => (check.exp_alerts ?? []).length > 0);
      expect(firing.length).toBeGreaterThan(0);
      for (const { check } of firing) {
        for (const expected of check.exp_alerts ?? []) {
          expect(expected.exp_labels).toMatchObject(rule.labels);
          expect(expected.exp_annotations).toMatchObject({ runbook_url: rule.annotations['runbook_url'] });
          expect(Object.keys(expected.exp_annotations ?? {}).sort()).toEqual(Object.keys(rule.annotations).sort());
        }
      }
      // Pending: in the firing group, an earlier evaluation with nothing firing yet, less than `for` before.
      const forMinutes = minutes(rule.for ?? '0m');
      const [{ test, check: fired }] = firing as [(typeof firing)[number]];
      const pending = test.alert_rule_test.find(
        (check) =>
          check.alertname === alert &&
          (check.exp_alerts ?? []).length === 0 &&
          minutes(check.eval_time) < minutes(fired.eval_time) &&
          (forMinutes === 0 || minutes(fired.eval_time) - minutes(check.eval_time) <= forMinutes),
      );
      expect(pending).toBeDefined();
      // Silent: a group of its own that only expects nothing.
      const silent = ruleTests.filter((candidate) =>
        candidate.alert_rule_test.every((check) => check.alertname === alert && (check.exp_alerts ?? []).length === 0),
      );
      expect(silent.length).toBeGreaterThan(0);
    },
  );

  it('fails when an expectation is wrong (the unit tests can catch a broken rule)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'caravan-rules-'));
    try {
      copyFileSync(RULES, join(dir, 'alerts.yml'));
      const broken = parseYaml(readFileSync(RULE_TESTS, 'utf8')) as { tests: RuleTest[] };
      const expected = broken.tests.flatMap((test) => test.alert_rule_test).find((check) => check.exp_alerts?.length);
      const first = expected?.exp_alerts?.[0];
      if (!first?.exp_labels) throw new Error('no firing expectation to break');
      first.exp_labels['severity'] = 'none';
      writeFileSync(join(dir, 'alerts.test.yml'), stringify(broken));
      const result = promtool('test', 'rules', join(dir, 'alerts.test.yml'));
      expect(result.status).not.toBe(0);
      expect(result.output).toContain('FAILED');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
