import { hostname } from 'node:os';
import type { Cluster, Redis } from 'ioredis';
import * as z from 'zod/mini';
import { MetricsOptionsError } from './errors.js';
import { defaultBuckets } from './families.js';
import { type MetricsLogger, silentLogger } from './logger.js';
import { english } from './zod.js';
import { zodProblems } from './zod-problems.js';

/** A ready ioredis client (standalone, Sentinel or Cluster); the caller owns its lifecycle. */
export type MetricsRedis = Redis | Cluster;

export interface MetricsOptions {
  /** The shared Redis every process of the fleet records into. Not closed by the store. */
  redis: MetricsRedis;
  /**
   * Prefix of the built-in families' names (`[metrics] namespace`), and part of the Redis keys:
   * the processes of one namespace sum into the same series, those of another never see them.
   * Declared families keep the names they are given.
   * @defaultValue `'pretix'`
   */
  namespace?: string;
  /**
   * Prefix of the Redis keys (`[redis] prefix`); keys live under the hash tag
   * `{<keyPrefix>metrics:<namespace>}`, so one flush stays on one Cluster slot and stores of
   * other namespaces on the same prefix never see each other's series.
   * @defaultValue `'keepwatch:'`
   */
  keyPrefix?: string;
  /**
   * Milliseconds between flushes of the in-process buffer (`[metrics] flush_interval`).
   * `0` sends every observation to Redis at once (still never awaited on the request path).
   * @defaultValue `1000`
   */
  flushIntervalMs?: number;
  /**
   * Upper bounds of the histogram buckets in seconds, ascending; `+Inf` is implied.
   * @defaultValue `[0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30]`
   */
  buckets?: readonly number[];
  /**
   * Most distinct series (hash fields) held in memory while Redis is unreachable. Observations
   * that would need a new field beyond it are dropped and counted in
   * `<namespace>_metrics_dropped_observations_total`.
   * @defaultValue `10000`
   */
  maxBufferedSeries?: number;
  /**
   * Most label sets one declared family (`store.counter()`, `gauge()`, `histogram()`) takes in
   * this process. Observations of a new label set beyond it are dropped and counted in
   * `<namespace>_metrics_dropped_observations_total{reason="cardinality"}`: a label fed from user
   * input (an id, a raw path) cannot grow memory and Redis without bound.
   * @defaultValue `1000`
   */
  maxSeriesPerFamily?: number;
  /**
   * The `instance` label of this process's own metrics (CPU, memory, event loop, GC).
   * @defaultValue `` `${os.hostname()}:${process.pid}` ``
   */
  instance?: string;
  /**
   * Publish prom-client's default process metrics for this process.
   * @defaultValue `true`
   */
  processMetrics?: boolean;
  /**
   * Milliseconds between publications of this process's own metrics, and between the writes
   * that renew its own gauge values and the declared families' metadata in Redis.
   * @defaultValue `5000`
   */
  processIntervalMs?: number;
  /**
   * Milliseconds a process's own metrics outlive its last publication: after a crash its
   * series disappear from `/metrics` within this time. Must exceed `processIntervalMs`.
   * @defaultValue `15000`
   */
  processTtlMs?: number;
  /**
   * Longest a scrape waits for Redis before `/metrics` answers 503, and longest `close()`
   * takes in all (its last flush and the removal of this process's series).
   * @defaultValue `5000`
   */
  timeoutMs?: number;
  /**
   * A pino logger; the store logs Redis outages (once, and on recovery), never observations.
   * @defaultValue silent
   */
  logger?: MetricsLogger;
}

export interface ResolvedMetricsOptions {
  readonly redis: MetricsRedis;
  readonly namespace: string;
  readonly keyPrefix: string;
  readonly flushIntervalMs: number;
  readonly buckets: readonly number[];
  readonly maxBufferedSeries: number;
  readonly maxSeriesPerFamily: number;
  readonly instance: string;
  readonly processMetrics: boolean;
  readonly processIntervalMs: number;
  readonly processTtlMs: number;
  readonly timeoutMs: number;
  readonly logger: MetricsLogger;
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

const schema = z
  .object({
    redis: z.custom<MetricsRedis>(
      (value) => typeof value === 'object' && value !== null && typeof (value as Redis).multi === 'function',
      'must be an ioredis client',
    ),
    namespace: z
      .string()
      .check(z.regex(metricName, 'must be a Prometheus metric name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*)')),
    keyPrefix: z
      .string()
      .check(z.refine((value) => !/[{}]/.test(value), 'must not contain { or } (the store adds its own hash tag)')),
    flushIntervalMs: z.int().check(z.gte(0), z.lte(3_600_000)),
    buckets: z.array(z.number().check(z.positive())).check(
      z.minLength(1),
      z.refine((list) => list.every((value, i) => i === 0 || value > list[i - 1]!), 'must be strictly ascending'),
    ),
    maxBufferedSeries: z.int().check(z.gte(1)),
    maxSeriesPerFamily: z.int().check(z.gte(1)),
    instance: z.string().check(z.minLength(1)),
    processMetrics: z.boolean(),
    processIntervalMs: z.int().check(z.gte(100)),
    processTtlMs: z.int().check(z.gte(200)),
    timeoutMs: z.int().check(z.gte(1)),
    logger: z.custom<MetricsLogger>(
      (value) => typeof value === 'object' && value !== null && typeof (value as MetricsLogger).warn === 'function',
      'must be a pino logger',
    ),
  })
  .check(
    z.refine((options) => options.processTtlMs > options.processIntervalMs, {
      path: ['processTtlMs'],
      error: 'must be greater than processIntervalMs, or live processes would blink out',
    }),
  );

/** Merges defaults, validates once and freezes; throws one error listing every problem. */
export function resolveMetricsOptions(options: MetricsOptions): ResolvedMetricsOptions {
  const merged = {
    namespace: 'pretix',
    keyPrefix: 'keepwatch:',
    flushIntervalMs: 1000,
    buckets: [...defaultBuckets],
    maxBufferedSeries: 10_000,
    maxSeriesPerFamily: 1000,
    instance: `${hostname()}:${process.pid}`,
    processMetrics: true,
    processIntervalMs: 5000,
    processTtlMs: 15_000,
    timeoutMs: 5000,
    logger: silentLogger,
    ...withoutUndefined(options),
  };
  const result = schema.safeParse(merged, english);
  if (!result.success) throw new MetricsOptionsError('metrics options', zodProblems(result.error));
  return Object.freeze({ ...result.data, buckets: Object.freeze([...result.data.buckets]) });
}

/** Drops keys explicitly set to `undefined`, so they take the default instead of failing. */
export function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
