/**
 * One metric family ready for rendering, in the shape prom-client's `Registry` serialises
 * (`getMetricsAsJSON()` gives the same shape, which is how process metrics travel).
 */
export interface MetricSample {
  value: number;
  labels: Record<string, string | number>;
  /** For histogram parts: `<name>_bucket`, `<name>_sum`, `<name>_count`. */
  metricName?: string;
  /**
   * Labels common to several samples (a histogram series' own labels, shared by its buckets),
   * as prom-client has them: its writer formats one such object once, not once per bucket.
   */
  sharedLabels?: Record<string, string | number>;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  values: MetricSample[];
}

/** Reads families at scrape time (queue depth, anything live); its failure omits its families. */
export type ScrapeCollector = (namespace: string) => Promise<MetricFamily[]>;
