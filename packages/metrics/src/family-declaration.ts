import * as z from 'zod/mini';
import { MetricsFamilyError } from './errors.js';
import { english } from './zod.js';
import { zodProblems } from './zod-problems.js';

/** How the values the processes hold of one gauge series combine into the one `/metrics` shows. */
export type GaugeAggregate = 'sum' | 'max' | 'min' | 'last';

export interface CounterOptions {
  /** The full metric name, used as given (no namespace is added), e.g. `shop_orders_total`. */
  name: string;
  help: string;
  /** @defaultValue `[]` */
  labelNames?: readonly string[];
}

export interface GaugeOptions extends CounterOptions {
  /**
   * How the processes' values combine: `sum` (open carts across replicas), `max`, `min`, or
   * `last` (the value set most recently, by the processes' clocks).
   * @defaultValue `'sum'`
   */
  aggregate?: GaugeAggregate;
  /**
   * `true`: each process holds its own value, which leaves `/metrics` with the process (within
   * `processTtlMs` after a crash, at once after `close()`). `false`: one value per label set for
   * the whole fleet, kept in Redis after the process that set it is gone (the time of the last
   * successful backup); `set()` then combines with the stored value by `aggregate` (`last`,
   * `max` or `min`), and `inc()`/`dec()` are refused.
   * @defaultValue `true`
   */
  perProcess?: boolean;
}

export interface HistogramOptions extends CounterOptions {
  /**
   * Upper bounds of the buckets, strictly ascending; `+Inf` is implied.
   * @defaultValue the store's `buckets`
   */
  buckets?: readonly number[];
}

export type FamilyKind = 'counter' | 'gauge' | 'histogram';

/**
 * A declared family as it travels through Redis (the `families` hash, JSON per name), so that a
 * process that never declared it renders it all the same.
 */
export interface FamilyMeta {
  readonly type: FamilyKind;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** Gauges only. */
  readonly aggregate?: GaugeAggregate;
  /** Gauges only; absent means true. */
  readonly perProcess?: boolean;
  /** Histograms only. */
  readonly buckets?: readonly number[];
}

export interface DeclaredFamily extends FamilyMeta {
  readonly name: string;
}

// The Prometheus data model's grammar; `__` starts the names Prometheus reserves for itself.
const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const labelNames = z
  .array(
    z.string().check(
      z.regex(labelName, 'must match [a-zA-Z_][a-zA-Z0-9_]*'),
      z.refine((name) => !name.startsWith('__'), 'must not start with __ (reserved by Prometheus)'),
    ),
  )
  .check(z.refine((names) => new Set(names).size === names.length, 'must not repeat a name'));

const common = {
  name: z.string().check(z.regex(metricName, 'must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)')),
  help: z.string().check(z.minLength(1, 'must not be empty')),
  labelNames,
};

const buckets = z.array(z.number()).check(
  z.minLength(1),
  z.refine((list) => list.every((value, i) => i === 0 || value > list[i - 1]!), 'must be strictly ascending'),
);

const counterSchema = z.strictObject(common);
const gaugeSchema = z
  .strictObject({ ...common, aggregate: z.enum(['sum', 'max', 'min', 'last']), perProcess: z.boolean() })
  .check(
    z.refine((o) => o.perProcess || o.aggregate !== 'sum', {
      path: ['aggregate'],
      error: "must be 'last', 'max' or 'min' when perProcess is false (a fleet-wide value has nothing to sum)",
    }),
  );
const histogramSchema = z.strictObject({ ...common, buckets }).check(
  z.refine((o) => !o.labelNames.includes('le'), {
    path: ['labelNames'],
    error: 'must not contain le (the bucket label of a histogram)',
  }),
);

function parse<T>(kind: FamilyKind, schema: z.ZodMiniType<T>, input: unknown): T {
  const result = schema.safeParse(input, english);
  if (!result.success) {
    const name = typeof (input as { name?: unknown })?.name === 'string' ? (input as { name: string }).name : '?';
    throw new MetricsFamilyError(`${kind} ${JSON.stringify(name)}`, zodProblems(result.error));
  }
  return result.data;
}

export function counterFamily(options: CounterOptions): DeclaredFamily {
  const parsed = parse('counter', counterSchema, { labelNames: [], ...defined(options) });
  return Object.freeze({ ...parsed, type: 'counter', labelNames: Object.freeze([...parsed.labelNames]) });
}

export function gaugeFamily(options: GaugeOptions): DeclaredFamily {
  const parsed = parse('gauge', gaugeSchema, {
    labelNames: [],
    aggregate: 'sum',
    perProcess: true,
    ...defined(options),
  });
  return Object.freeze({ ...parsed, type: 'gauge', labelNames: Object.freeze([...parsed.labelNames]) });
}

export function histogramFamily(options: HistogramOptions, defaultBuckets: readonly number[]): DeclaredFamily {
  const parsed = parse('histogram', histogramSchema, {
    labelNames: [],
    buckets: [...defaultBuckets],
    ...defined(options),
  });
  return Object.freeze({
    ...parsed,
    type: 'histogram',
    labelNames: Object.freeze([...parsed.labelNames]),
    buckets: Object.freeze([...parsed.buckets]),
  });
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Every name a family takes in the exposition, in either format: a histogram's `_bucket`,
 * `_sum` and `_count`; a counter under its name with and without `_total` (OpenMetrics names
 * the family without it and the sample with it). Two families sharing one of these would render
 * as one broken family.
 */
export function exposedNames(name: string, type: FamilyKind | 'summary'): string[] {
  if (type === 'histogram') return [name, `${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === 'counter')
    return name.endsWith('_total') ? [name, name.slice(0, -'_total'.length)] : [name, `${name}_total`];
  return [name];
}

/** The JSON stored for a family; the same declaration gives the same text in every process. */
export function metaJson(family: DeclaredFamily): string {
  const { type, help, labelNames, aggregate, perProcess, buckets } = family;
  return JSON.stringify({ type, help, labelNames, aggregate, perProcess, buckets });
}

/** A family's metadata read back from Redis, or undefined when this version cannot use it. */
export function parseMeta(name: string, json: string): DeclaredFamily | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const meta = storedMeta.safeParse(value);
  if (!meta.success || !metricName.test(name)) return undefined;
  return { name, ...meta.data } as DeclaredFamily;
}

const storedMeta = z
  .object({
    type: z.enum(['counter', 'gauge', 'histogram']),
    help: z.string(),
    labelNames: z.array(z.string().check(z.regex(labelName))),
    aggregate: z.optional(z.enum(['sum', 'max', 'min', 'last'])),
    perProcess: z.optional(z.boolean()),
    buckets: z.optional(buckets),
  })
  .check(z.refine((meta) => meta.type !== 'histogram' || meta.buckets !== undefined));

/** Whether two declarations of one name describe the same family. */
export function sameFamily(a: DeclaredFamily, b: DeclaredFamily): boolean {
  return metaJson(a) === metaJson(b);
}
