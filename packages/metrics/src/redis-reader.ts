import { type FamilySpec, dropReasons, droppedObservations } from './families.js';
import { type DeclaredFamily, parseMeta } from './family-declaration.js';
import type { MetricFamily, MetricSample } from './metric-family.js';
import type { MetricsRedis } from './options.js';
import { instanceFamilies } from './process-metrics.js';
import type { MetricsKeys } from './redis-keys.js';
import type { LabelCache } from './label-cache.js';
import { parseField } from './series-fields.js';
import { bucketIndex } from './series-names.js';

export interface ReadOptions {
  redis: MetricsRedis;
  keys: MetricsKeys;
  namespace: string;
  families: readonly FamilySpec[];
  buckets: readonly number[];
  /** Names a declared family must not take (the built-in families'): such metadata is skipped. */
  reserved: ReadonlyMap<string, string>;
  /** Label objects of the last read, reused for the same fields. */
  labels: LabelCache;
}

/**
 * A hash's fields and values after each other, as HGETALL lists them. Read with `call()`, not
 * `hgetall()`, which turns the reply into an object with a property per field: for 100 000 fields
 * that took longer than the reply itself. (A script joining the hash into one string in Redis
 * spared the client most of the rest, but held Redis 170 ms per 100 000 fields, against 45 ms for
 * HGETALL: a scrape must not stall the fleet's other Redis users.)
 */
type Pairs = string[];

function readHash(pipeline: ReturnType<MetricsRedis['pipeline']>, key: string): void {
  pipeline.call('HGETALL', key);
}

function pairsOf(reply: unknown): Pairs {
  return Array.isArray(reply) ? (reply as Pairs) : [];
}

/**
 * Reads the fleet's families, the declared families (from their metadata in Redis, whoever
 * declared them) and every live instance's process metrics and own gauges, in two round trips:
 * the built-in hashes, the metadata and the instance index; then the declared families' hashes,
 * the instances' payloads and their gauges.
 */
export async function readFleet(options: ReadOptions): Promise<MetricFamily[]> {
  const { redis, keys, families, reserved, labels } = options;
  labels.begin();
  const first = redis.pipeline();
  for (const family of families) readHash(first, keys.family(family.id));
  readHash(first, keys.families);
  first.zrange(keys.instances, '0', '-1');
  const results = checked(await first.exec());

  const rendered = families.map((family, i) => builtInFamily(family, pairsOf(results[i]), options));
  const declared = entries(pairsOf(results[families.length]))
    .map(([name, json]) => parseMeta(name, json))
    .filter((family): family is DeclaredFamily => family !== undefined && !reserved.has(family.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const instances = (results[families.length + 1] ?? []) as string[];

  const stored = declared.filter((family) => family.type !== 'gauge' || family.perProcess === false);
  const own = declared.filter((family) => family.type === 'gauge' && family.perProcess !== false);
  const second = redis.pipeline();
  for (const family of stored) readHash(second, keys.custom(family.name));
  if (instances.length > 0) {
    second.mget(...instances.map((instance) => keys.process(instance)));
    if (own.length > 0) for (const instance of instances) readHash(second, keys.gauges(instance));
  }
  const more = stored.length > 0 || instances.length > 0 ? checked(await second.exec()) : [];

  const byName = new Map<string, MetricFamily>();
  for (const [i, family] of stored.entries())
    byName.set(family.name, storedFamily(family, pairsOf(more[i]), labels.family(family.name, family.labelNames)));
  if (own.length > 0) {
    const gauges = instances.map((_, i) => pairsOf(more[stored.length + 1 + i]));
    for (const family of ownGauges(own, gauges, labels)) byName.set(family.name, family);
  }
  for (const family of declared) {
    const shown = byName.get(family.name);
    if (shown) rendered.push(shown);
  }

  if (instances.length > 0) {
    const payloads = (more[stored.length] ?? []) as Array<string | null>;
    rendered.push(...mergeByName(instances.flatMap((instance, i) => parseInstance(instance, payloads[i]))));
  }
  return rendered;
}

function entries(pairs: Pairs): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) result.push([pairs[i]!, pairs[i + 1]!]);
  return result;
}

function checked(results: [Error | null, unknown][] | null): unknown[] {
  const failed = (results ?? []).find(([error]) => error);
  if (failed) throw failed[0];
  return (results ?? []).map(([, value]) => value);
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

function builtInFamily(spec: FamilySpec, hash: Pairs, options: ReadOptions): MetricFamily {
  const name = `${options.namespace}_${spec.suffix}`;
  const family: MetricFamily = { name, help: spec.help, type: spec.type, values: [] };
  const parse = options.labels.family(spec.id, spec.labels);
  if (spec.type === 'histogram') {
    family.values = histogramSamples(name, parse, hash, options.buckets);
    return family;
  }
  family.values = valueSamples(parse, hash);
  if (spec.id === droppedObservations.id) {
    // Present from 0, so that increase() sees the first drop (a series that appears at 1 has no increase).
    for (const reason of dropReasons) {
      if (!family.values.some((sample) => sample.labels.reason === reason))
        family.values.push({ value: 0, labels: { reason } });
    }
  }
  return family;
}

/** Label values by name from a field (`[...values]` as JSON); undefined for one this version cannot read. */
type LabelParser = (field: string) => Record<string, string> | undefined;

function valueSamples(parse: LabelParser, hash: Pairs): MetricSample[] {
  const samples: MetricSample[] = [];
  for (let i = 0; i + 1 < hash.length; i += 2) {
    const labels = parse(hash[i]!);
    if (labels) samples.push({ value: Number(hash[i + 1]), labels });
  }
  return samples;
}

/** A counter, histogram or fleet-wide gauge; one without labels shows 0 until its first write, as in prom-client. */
function storedFamily(family: DeclaredFamily, hash: Pairs, parse: LabelParser): MetricFamily {
  const { name, help, type, labelNames } = family;
  const unlabelled = labelNames.length === 0;
  if (type === 'histogram') {
    const buckets = family.buckets ?? [];
    const source = unlabelled && hash.length === 0 ? ['[]\tsum', '0'] : hash;
    return { name, help, type, values: histogramSamples(name, parse, source, buckets) };
  }
  const values = valueSamples(parse, hash);
  if (unlabelled && values.length === 0) values.push({ value: 0, labels: {} });
  return { name, help, type, values };
}

/**
 * The per-process gauges, each series combined over the live instances' own hashes (fields
 * `<name>\t<labels>`, values `<value>` or, for `last`, `<value> <ms>`) by its family's aggregate.
 */
function ownGauges(families: readonly DeclaredFamily[], hashes: readonly Pairs[], cache: LabelCache): MetricFamily[] {
  const byName = new Map(families.map((family) => [family.name, new Map<string, { value: number; at: number }>()]));
  const aggregates = new Map(families.map((family) => [family.name, family.aggregate ?? 'sum']));
  for (const hash of hashes) {
    for (let i = 0; i + 1 < hash.length; i += 2) {
      const field = hash[i]!;
      const tab = field.indexOf('\t');
      const series = byName.get(field.slice(0, tab));
      if (tab === -1 || series === undefined) continue;
      const labels = field.slice(tab + 1);
      const aggregate = aggregates.get(field.slice(0, tab))!;
      const raw = hash[i + 1]!;
      const space = raw.indexOf(' ');
      const value = Number(space === -1 ? raw : raw.slice(0, space));
      const at = space === -1 ? 0 : Number(raw.slice(space + 1));
      if (Number.isNaN(value)) continue;
      const held = series.get(labels);
      if (held === undefined) series.set(labels, { value, at });
      else if (aggregate === 'sum') held.value += value;
      else if (aggregate === 'max') held.value = Math.max(held.value, value);
      else if (aggregate === 'min') held.value = Math.min(held.value, value);
      else if (at > held.at) series.set(labels, { value, at });
    }
  }
  return families.map(({ name, help, labelNames }) => {
    const values: MetricSample[] = [];
    const parse = cache.family(name, labelNames);
    for (const [field, { value }] of byName.get(name)!) {
      const labels = parse(field);
      if (labels) values.push({ value, labels });
    }
    if (labelNames.length === 0 && values.length === 0) values.push({ value: 0, labels: {} });
    return { name, help, type: 'gauge', values };
  });
}

interface HistogramSeries {
  labels: Record<string, string>;
  /** Per-bucket (not cumulative) counts, by index into the configured bounds plus `+Inf`. */
  counts: Float64Array;
  sum: number;
}

function histogramSamples(name: string, parse: LabelParser, hash: Pairs, buckets: readonly number[]): MetricSample[] {
  const bounds = [...buckets, Number.POSITIVE_INFINITY];
  const le = bounds.map((bound) => (bound === Number.POSITIVE_INFINITY ? '+Inf' : bound));
  const indexOfBound = new Map(bounds.map((bound, i) => [bound, i]));
  const series = new Map<string, HistogramSeries>();
  for (let i = 0; i + 1 < hash.length; i += 2) {
    const field = hash[i]!;
    const parsed = parseField(field);
    if (!parsed || parsed.kind === 'value') continue;
    let entry = series.get(parsed.labels);
    if (!entry) {
      const labels = parse(parsed.labels);
      if (!labels) continue;
      entry = { labels, counts: new Float64Array(bounds.length), sum: 0 };
      series.set(parsed.labels, entry);
    }
    if (parsed.kind === 'sum') {
      entry.sum += Number(hash[i + 1]);
    } else {
      // A bound from an older bucket configuration moves up to the next configured bound: an
      // observation <= the old bound is also <= the new one, so cumulative counts stay true.
      const index = indexOfBound.get(parsed.bound) ?? bucketIndex(parsed.bound, buckets);
      entry.counts[index]! += Number(hash[i + 1]);
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
