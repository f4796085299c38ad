import type { FamilySpec } from './families.js';
import type { MetricFamily, MetricSample } from './metric-family.js';
import type { MetricsRedis } from './options.js';
import { instanceFamilies } from './process-metrics.js';
import type { MetricsKeys } from './redis-keys.js';
import { parseField, parseLabels } from './series-fields.js';
import { bucketIndex } from './series-names.js';

export interface ReadOptions {
  redis: MetricsRedis;
  keys: MetricsKeys;
  namespace: string;
  families: readonly FamilySpec[];
  buckets: readonly number[];
}

/**
 * Reads the fleet's families and every live instance's process metrics: one pipeline for the
 * hashes and the instance index, one MGET for the instances' payloads.
 */
export async function readFleet(options: ReadOptions): Promise<MetricFamily[]> {
  const { redis, keys, families } = options;
  const pipeline = redis.pipeline();
  for (const family of families) pipeline.hgetall(keys.family(family.id));
  pipeline.zrange(keys.instances, '0', '-1');
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0];

  const rendered = families.map((family, i) =>
    toFamily(family, (results[i]?.[1] ?? {}) as Record<string, string>, options),
  );

  const instances = (results[families.length]?.[1] ?? []) as string[];
  if (instances.length > 0) {
    const payloads = await redis.mget(...instances.map((instance) => keys.process(instance)));
    rendered.push(...mergeByName(instances.flatMap((instance, i) => parseInstance(instance, payloads[i]))));
  }
  return rendered;
}

function parseInstance(instance: string, payload: string | null | undefined): MetricFamily[] {
  // Expired (the process died) or unreadable (another version wrote it): leave it out.
  if (!payload) return [];
  try {
    return instanceFamilies(instance, payload);
  } catch {
    return [];
  }
}

/** One family per name, its samples from every instance (their `instance` labels keep them apart). */
function mergeByName(families: MetricFamily[]): MetricFamily[] {
  const byName = new Map<string, MetricFamily>();
  for (const family of families) {
    const seen = byName.get(family.name);
    if (seen) seen.values.push(...family.values);
    else
      byName.set(family.name, { name: family.name, help: family.help, type: family.type, values: [...family.values] });
  }
  return [...byName.values()];
}

function toFamily(spec: FamilySpec, hash: Record<string, string>, options: ReadOptions): MetricFamily {
  const name = `${options.namespace}_${spec.suffix}`;
  const family: MetricFamily = { name, help: spec.help, type: spec.type, values: [] };
  if (spec.type !== 'histogram') {
    for (const [field, raw] of Object.entries(hash)) {
      const labels = parseLabels(field, spec.labels);
      if (labels) family.values.push({ value: Number(raw), labels });
    }
    return family;
  }
  family.values = histogramSamples(name, spec, hash, options.buckets);
  return family;
}

interface HistogramSeries {
  labels: Record<string, string>;
  /** Per-bucket (not cumulative) counts, by index into the configured bounds plus `+Inf`. */
  counts: Float64Array;
  sum: number;
}

function histogramSamples(
  name: string,
  spec: FamilySpec,
  hash: Record<string, string>,
  buckets: readonly number[],
): MetricSample[] {
  const bounds = [...buckets, Number.POSITIVE_INFINITY];
  const le = bounds.map((bound) => (bound === Number.POSITIVE_INFINITY ? '+Inf' : bound));
  const indexOfBound = new Map(bounds.map((bound, i) => [bound, i]));
  const series = new Map<string, HistogramSeries>();
  for (const field in hash) {
    const parsed = parseField(field);
    if (!parsed || parsed.kind === 'value') continue;
    let entry = series.get(parsed.labels);
    if (!entry) {
      const labels = parseLabels(parsed.labels, spec.labels);
      if (!labels) continue;
      entry = { labels, counts: new Float64Array(bounds.length), sum: 0 };
      series.set(parsed.labels, entry);
    }
    if (parsed.kind === 'sum') {
      entry.sum += Number(hash[field]);
    } else {
      // A bound from an older bucket configuration moves up to the next configured bound: an
      // observation <= the old bound is also <= the new one, so cumulative counts stay true.
      const index = indexOfBound.get(parsed.bound) ?? bucketIndex(parsed.bound, buckets);
      entry.counts[index]! += Number(hash[field]);
    }
  }

  const bucketName = `${name}_bucket`;
  const sumName = `${name}_sum`;
  const countName = `${name}_count`;
  const samples: MetricSample[] = [];
  for (const { labels, counts, sum } of series.values()) {
    let cumulative = 0;
    for (let i = 0; i < bounds.length; i++) {
      cumulative += counts[i]!;
      samples.push({ metricName: bucketName, labels: { le: le[i]! }, sharedLabels: labels, value: cumulative });
    }
    samples.push({ metricName: sumName, labels: {}, sharedLabels: labels, value: sum });
    samples.push({ metricName: countName, labels: {}, sharedLabels: labels, value: cumulative });
  }
  return samples;
}
