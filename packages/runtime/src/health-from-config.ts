import type { KeepwatchConfig } from '@keepwatch/config';
import {
  cacheProbe,
  createHealthChecker,
  mysqlProbe,
  postgresProbe,
  redisProbe,
  type HealthChecker,
  type Probe,
} from '@keepwatch/health';
import type { Logger } from 'pino';
import type { Resources } from './resources.js';

/**
 * The readiness check the README documents: the database (when configured), Redis (when
 * configured) and the configured cache, each with `[health] timeout`, all within
 * `[health] deadline`.
 */
export function createHealthCheckerFromConfig(
  config: Readonly<KeepwatchConfig>,
  resources: Resources,
  logger?: Logger,
): HealthChecker {
  const probes: Probe[] = [];
  const { database, redis, cache } = resources;
  if (database?.kind === 'postgres') probes.push(postgresProbe({ name: 'database', pool: database.pool }));
  if (database?.kind === 'mysql') probes.push(mysqlProbe({ name: 'database', pool: database.pool }));
  if (redis) probes.push(redisProbe({ client: redis, keyPrefix: config.redis.prefix }));
  probes.push(cacheProbe({ name: `cache (${config.cache.backend})`, cache }));
  return createHealthChecker({
    probes,
    timeoutMs: config.health.timeout,
    deadlineMs: config.health.deadline,
    ...(logger ? { logger } : {}),
  });
}
