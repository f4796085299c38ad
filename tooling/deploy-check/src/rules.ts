import { dump, load } from 'js-yaml';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface RuleFile {
  groups: Array<{ name: string; interval?: string; rules: Array<AlertRule | { record: string; expr: string }> }>;
}

interface RuleTestFile {
  tests: Array<{
    name?: string;
    alert_rule_test?: Array<{ alertname: string; eval_time: string; exp_alerts?: unknown[] | null }>;
  }>;
}

/** The alerting rules of a rule file, in order. */
export function alertRules(text: string): AlertRule[] {
  const file = load(text) as RuleFile;
  return file.groups.flatMap((group) => group.rules.filter((rule): rule is AlertRule => 'alert' in rule));
}

/**
 * What a set of alerts lacks: an alert without summary, description or runbook annotation, or
 * without a promtool case where it fires and one where it stays silent. One line per problem.
 */
export function ruleProblems(rulesText: string, testsText: string): string[] {
  const rules = alertRules(rulesText);
  const cases = new Map<string, { firing: number; silent: number }>();
  for (const test of (load(testsText) as RuleTestFile).tests) {
    for (const check of test.alert_rule_test ?? []) {
      const seen = cases.get(check.alertname) ?? { firing: 0, silent: 0 };
      if ((check.exp_alerts ?? []).length > 0) seen.firing++;
      else seen.silent++;
      cases.set(check.alertname, seen);
    }
  }
  const problems: string[] = [];
  for (const rule of rules) {
    for (const key of ['summary', 'description', 'runbook']) {
      if (!rule.annotations?.[key]) problems.push(`${rule.alert}: no ${key} annotation`);
    }
    const seen = cases.get(rule.alert);
    if (!seen?.firing) problems.push(`${rule.alert}: no test case where it fires`);
    if (!seen?.silent) problems.push(`${rule.alert}: no test case where it stays silent`);
  }
  const names = new Set(rules.map((rule) => rule.alert));
  for (const name of cases.keys())
    if (!names.has(name)) problems.push(`${name}: tested, but no such alert in the rules`);
  return problems;
}

/**
 * A copy of a rule file for a test that cannot wait minutes: every `for:` becomes `options.for`
 * and each group evaluates every `options.interval`. Expressions and thresholds stay as shipped.
 */
export function shortenedRules(text: string, options: { for: string; interval: string }): string {
  const file = load(text) as RuleFile;
  for (const group of file.groups) {
    group.interval = options.interval;
    for (const rule of group.rules) if ('alert' in rule && rule.for) rule.for = options.for;
  }
  return dump(file, { lineWidth: -1 });
}

/** GitHub's heading anchors (`## KeepwatchBackupMissing` → `#keepwatchbackupmissing`). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const line of markdown.split('\n')) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    anchors.add(slug);
  }
  return anchors;
}
