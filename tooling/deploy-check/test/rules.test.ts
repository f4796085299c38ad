import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRules, headingAnchors, ruleProblems } from '../src/rules.js';
import { rulesFile, rulesTestFile, runbookFile } from '../src/paths.js';
import { run } from '../src/run.js';

let rulesText: string;
let testsText: string;
let scratch: string;

beforeAll(async () => {
  rulesText = await readFile(rulesFile, 'utf8');
  testsText = await readFile(rulesTestFile, 'utf8');
  scratch = await mkdtemp(join(tmpdir(), 'kw-deploy-rules-'));
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('deploy/prometheus/rules.yml', () => {
  it('passes promtool check rules', async () => {
    const result = await run('promtool', ['check', 'rules', rulesFile]);
    expect(result.stdout + result.stderr).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.code).toBe(0);
  });

  it('passes its promtool unit tests (rules.test.yml)', async () => {
    const result = await run('promtool', ['test', 'rules', 'rules.test.yml'], { cwd: dirname(rulesTestFile) });
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('gives every alert a summary, a description, a runbook, and a firing and a silent case', () => {
    expect(alertRules(rulesText).length).toBeGreaterThanOrEqual(10);
    expect(ruleProblems(rulesText, testsText)).toEqual([]);
  });

  it("points every alert's runbook annotation at a section of docs/runbook.md", async () => {
    const anchors = headingAnchors(await readFile(runbookFile, 'utf8'));
    const broken = alertRules(rulesText)
      .map((rule) => [rule.alert, rule.annotations?.runbook ?? ''] as const)
      .filter(([, runbook]) => {
        const [path, anchor] = runbook.split('#');
        return path !== 'docs/runbook.md' || !anchor || !anchors.has(anchor);
      });
    expect(broken).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('promtool test rules fails when a threshold moves (the error ratio from 5% to 15%)', async () => {
    const dir = join(scratch, 'moved-threshold');
    await mkdir(dir);
    const moved = rulesText.replace(') > 0.05', ') > 0.15');
    expect(moved).not.toBe(rulesText);
    await writeFile(join(dir, 'rules.yml'), moved);
    // Only the cases of that alert: the whole file takes seconds (its 27-hour backup cases).
    const tests = load(testsText) as { tests: Array<{ alert_rule_test?: Array<{ alertname: string }> }> };
    tests.tests = tests.tests.filter((test) =>
      test.alert_rule_test?.some((check) => check.alertname === 'KeepwatchHighErrorRatio'),
    );
    await writeFile(join(dir, 'rules.test.yml'), dump(tests));
    const result = await run('promtool', ['test', 'rules', 'rules.test.yml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('alertname: KeepwatchHighErrorRatio, time: 20m');
  });

  it('names an alert without annotations or cases, and a case for an alert that does not exist', () => {
    const rules = `${rulesText}\n      - alert: KeepwatchUntested\n        expr: vector(1)\n`;
    const tests = testsText.replace(
      /alertname: KeepwatchQueueBackingUp\n(\s+)exp_alerts: \[\]/,
      'alertname: KeepwatchQueueBackingUp\n$1exp_alerts: [{}]',
    );
    const renamed = tests.replaceAll('alertname: KeepwatchTaskErrors', 'alertname: KeepwatchTaskError');
    expect(ruleProblems(rules, renamed)).toEqual([
      'KeepwatchTaskErrors: no test case where it fires',
      'KeepwatchTaskErrors: no test case where it stays silent',
      'KeepwatchQueueBackingUp: no test case where it stays silent',
      'KeepwatchUntested: no summary annotation',
      'KeepwatchUntested: no description annotation',
      'KeepwatchUntested: no runbook annotation',
      'KeepwatchUntested: no test case where it fires',
      'KeepwatchUntested: no test case where it stays silent',
      'KeepwatchTaskError: tested, but no such alert in the rules',
    ]);
  });
});
