import { errorMessage } from '@keepwatch/errors';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { MetricsLogger } from './logger.js';
import type { MetricFamily } from './metric-family.js';
import type { MetricsKeys } from './redis-keys.js';
import type { MetricsRedis } from './options.js';

export interface ProcessMetricsOptions {
  redis: MetricsRedis;
  keys: MetricsKeys;
  instance: string;
  intervalMs: number;
  ttlMs: number;
  logger: MetricsLogger;
}

/**
 * How often the event-loop delay is sampled for the lag percentiles. prom-client's default,
 * 10 ms, wakes an idle process 100 times a second: 1.1% of a CPU, measured idle on a 2-core VM,
 * against 0.3% at 100 ms, a cost every request of a busy server shares. Ten samples a second
 * still give a 15 s scrape 150 of them, and each measures the full delay however long it is.
 */
const eventLoopSamplingMs = 100;

/**
 * Publishes this process's prom-client default metrics (CPU, memory, event-loop lag, GC) to
 * Redis under its own key with a TTL the publisher keeps refreshing. When the process dies the
 * key expires and its series leave `/metrics`; no clock comparison between hosts is involved.
 */
export class ProcessMetricsPublisher {
  // A registry of our own: the app's global prom-client registry stays untouched.
  private readonly registry = new Registry();
  private readonly timer: NodeJS.Timeout;
  private publishing: Promise<void> | undefined;
  private failing = false;
  private closed = false;

  constructor(private readonly options: ProcessMetricsOptions) {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: eventLoopSamplingMs });
    this.timer = setInterval(() => {
      if (!this.publishing) void this.publish();
    }, options.intervalMs);
    this.timer.unref();
    void this.publish();
  }

  /** Writes the current values now (or joins a write in flight); never rejects. */
  publish(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.publishing) return this.publishing;
    const run = async (): Promise<void> => {
      const { redis, keys, instance, ttlMs } = this.options;
      try {
        const families = (await this.registry.getMetricsAsJSON()).filter(
          // prom-client's nodejs_active_{handles,requests,resources}_total are gauges with a
          // counter's suffix, which promtool rejects; each is the sum of its labelled sibling.
          (family) => !(String(family.type) === 'gauge' && family.name.endsWith('_total')),
        );
        const now = Date.now();
        const results = await redis
          .multi()
          .set(keys.process(instance), JSON.stringify(families), 'PX', ttlMs)
          .zadd(keys.instances, now, instance)
          // The index only lists candidates; entries long past any TTL are pruned here.
          .zremrangebyscore(keys.instances, '-inf', now - 10 * ttlMs)
          .exec();
        const failed = results?.find(([error]) => error);
        if (failed) throw failed[0];
        this.failing = false;
      } catch (error) {
        if (!this.failing) {
          this.failing = true;
          this.options.logger.warn({ err: errorMessage(error) }, 'metrics: cannot publish process metrics to Redis');
        }
      }
    };
    this.publishing = run().finally(() => {
      this.publishing = undefined;
    });
    return this.publishing;
  }

  /** Stops publishing and removes this instance at once (a clean exit need not wait for the TTL). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.publishing;
    const { redis, keys, instance } = this.options;
    await redis.multi().del(keys.process(instance)).zrem(keys.instances, instance).exec();
  }
}

/** Parses one instance's published families and labels every sample with `instance`. */
export function instanceFamilies(instance: string, json: string): MetricFamily[] {
  const families = JSON.parse(json) as MetricFamily[];
  for (const family of families) {
    for (const sample of family.values) sample.labels = { ...sample.labels, instance };
  }
  return families;
}
