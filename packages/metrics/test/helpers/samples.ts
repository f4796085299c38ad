import type { MetricFamily } from '../../src/index.js';

/** The value of one sample in text exposition, or undefined when the series is absent. */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = parseLabels(match[3] ?? '');
    const wanted = Object.entries(labels);
    if (wanted.length === Object.keys(got).length && wanted.every(([k, v]) => got[k] === v)) return Number(match[4]);
  }
  return undefined;
}

/** Labels of a sample line, unescaping `\\`, `\"` and `\n` as the text format defines. */
export function parseLabels(body: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
  for (const m of body.matchAll(re)) {
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** The value of one sample in families read from the store. */
export function familyValue(
  families: MetricFamily[],
  name: string,
  labels: Record<string, string>,
  metricName = name,
): number | undefined {
  const family = families.find((f) => f.name === name);
  const sample = family?.values.find((s) => {
    const all = { ...s.sharedLabels, ...s.labels };
    return (
      (s.metricName ?? family.name) === metricName &&
      Object.keys(all).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => String(all[k]) === v)
    );
  });
  return sample?.value;
}
