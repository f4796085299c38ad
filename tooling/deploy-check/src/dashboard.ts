import type { QueryAnswer } from './prometheus.js';

interface Target {
  refId: string;
  expr?: string;
}

interface Panel {
  type: string;
  title: string;
  targets?: Target[];
  /** A collapsed row keeps its panels inside it. */
  panels?: Panel[];
}

export interface DashboardVariable {
  name: string;
  type: string;
  query?: string | { query: string };
  regex?: string;
}

export interface Dashboard {
  panels: Panel[];
  templating: { list: DashboardVariable[] };
}

export interface PanelQuery {
  panel: string;
  refId: string;
  expr: string;
}

/** Every PromQL expression of the dashboard's panels, rows included. */
export function panelQueries(dashboard: Dashboard): PanelQuery[] {
  const walk = (panels: Panel[]): PanelQuery[] =>
    panels.flatMap((panel) => [
      ...(panel.targets ?? [])
        .filter((t) => t.expr !== undefined)
        .map((t) => ({ panel: panel.title, refId: t.refId, expr: t.expr! })),
      ...walk(panel.panels ?? []),
    ]);
  return walk(dashboard.panels);
}

// Grafana's variable syntaxes: $name, ${name}, ${name:format}, [[name]].
const variablePattern = /\$\{(\w+)(?::\w+)?\}|\[\[(\w+)(?::\w+)?\]\]|\$(\w+)/g;

/**
 * Substitutes Grafana variables (the dashboard's own and built-ins such as `__rate_interval`)
 * the way Grafana does before it sends a query; names without a value are returned, not guessed.
 */
export function interpolate(
  expr: string,
  values: Readonly<Record<string, string>>,
): { expr: string; unknown: string[] } {
  const unknown: string[] = [];
  const result = expr.replace(variablePattern, (match, braced?: string, bracketed?: string, bare?: string) => {
    const name = (braced ?? bracketed ?? bare)!;
    const value = values[name];
    if (value === undefined) {
      unknown.push(name);
      return match;
    }
    return value;
  });
  return { expr: result, unknown };
}

/** A multi-value variable as Grafana sends it to Prometheus: an alternation of escaped values. */
export function regexValue(values: readonly string[]): string {
  const escaped = values.map((value) => value.replace(/[\\^$.|?*+()[\]{}]/g, '\\\\$&'));
  return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
}

type Query = (expr: string) => Promise<QueryAnswer>;

/**
 * The values a query variable offers, computed as Grafana's Prometheus data source does for
 * `metrics(regex)` and `label_values(expr, label)`, then filtered by the variable's regex (its
 * first capture group, when it has one).
 */
export async function variableValues(
  variable: DashboardVariable,
  values: Readonly<Record<string, string>>,
  query: Query,
): Promise<string[]> {
  const raw = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
  const { expr: text, unknown } = interpolate(raw, values);
  if (unknown.length > 0) throw new Error(`variable ${variable.name}: unknown variable(s) ${unknown.join(', ')}`);
  let found: string[];
  const metrics = /^metrics\((.+)\)$/.exec(text.trim());
  const labelValues = /^label_values\((?:(.+),\s*)?(\w+)\)$/.exec(text.trim());
  if (metrics) {
    found = await sampleLabel(query, `group by (__name__) ({__name__=~"${metrics[1]}"})`, '__name__', variable.name);
  } else if (labelValues) {
    found = await sampleLabel(query, labelValues[1] ?? `{${labelValues[2]}!=""}`, labelValues[2]!, variable.name);
  } else {
    throw new Error(`variable ${variable.name}: cannot evaluate query ${raw}`);
  }
  const regex = variable.regex ? /^\/(.*)\/([a-z]*)$/.exec(variable.regex) : null;
  if (regex) {
    const pattern = new RegExp(regex[1]!, regex[2]);
    found = found.flatMap((value) => {
      const match = pattern.exec(value);
      return match ? [match[1] ?? match[0]] : [];
    });
  }
  return [...new Set(found)].sort();
}

async function sampleLabel(query: Query, expr: string, label: string, name: string): Promise<string[]> {
  const answer = await query(expr);
  if (!answer.ok) throw new Error(`variable ${name}: ${expr}: ${answer.error}`);
  return answer.result.flatMap((sample) => (sample.metric[label] === undefined ? [] : [sample.metric[label]!]));
}

export interface DashboardCheck {
  query: Query;
  /** Every variable's value (already formatted, e.g. a regex for a multi-value one) and the built-ins. */
  values: Readonly<Record<string, string>>;
  /** Panels allowed to show nothing on a healthy fleet, by title, with the reason. */
  mayBeEmpty: Readonly<Record<string, string>>;
}

/**
 * Runs every panel query against Prometheus. A query has a problem when it names an unknown
 * variable, when Prometheus rejects it, or when it returns no finite value and its panel is not
 * one that may be empty. One line per problem, naming the panel.
 */
export async function dashboardProblems(dashboard: Dashboard, check: DashboardCheck): Promise<string[]> {
  const problems: string[] = [];
  for (const { panel, refId, expr: raw } of panelQueries(dashboard)) {
    const where = `panel "${panel}" query ${refId}`;
    const { expr, unknown } = interpolate(raw, check.values);
    if (unknown.length > 0) {
      problems.push(`${where}: unknown variable ${unknown.map((name) => `$${name}`).join(', ')}`);
      continue;
    }
    const answer = await check.query(expr);
    if (!answer.ok) {
      problems.push(`${where}: ${answer.error}`);
      continue;
    }
    const finite = answer.result.some((sample) => Number.isFinite(Number(sample.value[1])));
    if (!finite && !(panel in check.mayBeEmpty)) problems.push(`${where}: no data for ${expr}`);
  }
  return problems;
}
