import type { MetricFamily, MetricSample } from './metric-family.js';

export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';
export const openMetricsContentType = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export interface Rendered {
  contentType: string;
  body: string;
}

/** True when the scraper's `Accept` header asks for OpenMetrics (Prometheus 2.x does). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}

/**
 * Serialises families as prom-client 15's `Registry.metrics()` does, byte for byte (escaping,
 * number format, a blank line between families in text 0.0.4; OpenMetrics' counter names without
 * `_total`, samples with it, and `# EOF`), which render.test.ts checks against prom-client itself.
 * Not through a prom-client `Registry`: its writer builds several arrays and strings per sample,
 * and a scrape of 100 000 series spent more than a second there (see docs/benchmarks.md).
 */
export async function renderFamilies(families: MetricFamily[], openMetrics: boolean): Promise<Rendered> {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const family of families) {
    // Two sources naming the same family (a collector repeating a stored name): the first wins,
    // rather than the whole scrape failing.
    if (seen.has(family.name)) continue;
    seen.add(family.name);
    parts.push(formatFamily(family, openMetrics));
  }
  return openMetrics
    ? { contentType: openMetricsContentType, body: `${parts.join('\n')}\n# EOF\n` }
    : { contentType: prometheusContentType, body: `${parts.join('\n\n')}\n` };
}

function formatFamily(family: MetricFamily, openMetrics: boolean): string {
  const counter = family.type === 'counter';
  const name = escapeString(openMetrics && counter ? family.name.replace(/_total$/, '') : family.name);
  let text = `# HELP ${name} ${escapeString(family.help)}\n# TYPE ${name} ${family.type}`;
  for (const sample of family.values) {
    const metricName = openMetrics && counter ? `${sample.metricName ?? name}_total` : (sample.metricName ?? name);
    const labels = labelText(sample);
    text += `\n${metricName}${labels === '' ? '' : `{${labels}}`} ${valueText(sample.value)}`;
  }
  return text;
}

/** A sample's own labels (but those its shared labels name), then its shared labels. */
function labelText({ labels, sharedLabels }: MetricSample): string {
  // The store hands the same label objects, frozen, to every scrape (label-cache.ts): each is
  // formatted once. An object that may still change is formatted every time.
  if (sharedLabels === undefined) return Object.isFrozen(labels) ? sharedText(labels) : formatLabels(labels);
  let own = '';
  for (const name in labels) {
    if (Object.hasOwn(sharedLabels, name)) continue;
    own += `${own === '' ? '' : ','}${name}="${escapeLabelValue(labels[name]!)}"`;
  }
  const shared = sharedText(sharedLabels);
  return own === '' ? shared : shared === '' ? own : `${own},${shared}`;
}

// One text per labels object: a histogram series' labels are shared by all its buckets, and the
// store's label objects outlive a scrape.
const sharedCache = new WeakMap<object, string>();

function sharedText(labels: Record<string, string | number>): string {
  let text = sharedCache.get(labels);
  if (text === undefined) {
    text = formatLabels(labels);
    sharedCache.set(labels, text);
  }
  return text;
}

function formatLabels(labels: Record<string, string | number>): string {
  let text = '';
  for (const name in labels) text += `${text === '' ? '' : ','}${name}="${escapeLabelValue(labels[name]!)}"`;
  return text;
}

function escapeString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

const needsEscape = /[\\\n"]/;

function escapeLabelValue(value: string | number): string | number {
  if (typeof value !== 'string' || !needsEscape.test(value)) return value;
  return escapeString(value).replace(/"/g, '\\"');
}

// prom-client writes NaN as `Nan` (which Prometheus's parser takes): the same here.
function valueText(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}
