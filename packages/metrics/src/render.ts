import { Registry } from 'prom-client';
import type { MetricFamily } from './metric-family.js';

export const prometheusContentType = Registry.PROMETHEUS_CONTENT_TYPE;
export const openMetricsContentType = Registry.OPENMETRICS_CONTENT_TYPE;

export interface Rendered {
  contentType: string;
  body: string;
}

/** True when the scraper's `Accept` header asks for OpenMetrics (Prometheus 2.x does). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}

/**
 * Serialises families with prom-client's own writer (escaping, number format, OpenMetrics
 * `_total` and `# EOF` handling), so nothing here formats exposition text by hand.
 */
export async function renderFamilies(families: MetricFamily[], openMetrics: boolean): Promise<Rendered> {
  const contentType = openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE;
  const registry = new Registry();
  registry.setContentType(contentType as never);
  for (const family of families) {
    // Two sources naming the same family (a collector repeating a stored name): the first wins,
    // rather than the whole scrape failing.
    if (registry.getSingleMetric(family.name)) continue;
    const { help, type, values } = family;
    // prom-client renames a counter (drops `_total`) on the registered object before it calls
    // get() in OpenMetrics mode, so get() must read the name back from the object it mutated.
    const metric = {
      name: family.name,
      help,
      type,
      aggregator: 'sum',
      get() {
        return { name: this.name, help, type, values };
      },
      reset() {},
    };
    registry.registerMetric(metric as never);
  }
  return { contentType, body: await registry.metrics() };
}
