import type { KeepwatchConfig } from '@keepwatch/config';
import { createMetricsStore, type MetricsOptions, type MetricsStore } from '@keepwatch/metrics';
import type { Logger } from 'pino';
import type { RedisClient } from './redis-client.js';

/**
 * The process's metrics store when `[metrics] enabled` (which the config only allows with Redis
 * configured, in any mode): observations are buffered in-process and flushed to Redis every
 * `[metrics] flush_interval`, under `[redis] prefix`.
 */
export function createMetricsStoreFromConfig(
  config: Readonly<KeepwatchConfig>,
  redis: RedisClient | undefined,
  logger: Logger,
): MetricsStore | undefined {
  if (!config.metrics.enabled || !redis) return undefined;
  return createMetricsStore(metricsStoreOptionsFromConfig(config, redis, logger));
}

/** The store's options from `[metrics]` and `[redis] prefix`; what the config accepts, they accept. */
export function metricsStoreOptionsFromConfig(
  config: Readonly<KeepwatchConfig>,
  redis: RedisClient,
  logger: Logger,
): MetricsOptions {
  return {
    redis,
    namespace: config.metrics.namespace,
    keyPrefix: config.redis.prefix,
    flushIntervalMs: config.metrics.flush_interval,
    buckets: config.metrics.buckets,
    logger,
  };
}
