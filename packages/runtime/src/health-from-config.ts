import { type KeepwatchConfig, redisMode } from '@keepwatch/config';
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
  if (redis) probes.push(redisProbe({ client: redis, keyPrefix: redisProbePrefix(config) }));
  probes.push(cacheProbe({ name: `cache (${config.cache.backend})`, cache }));
  return createHealthChecker({
    probes,
    timeoutMs: config.health.timeout,
    deadlineMs: config.health.deadline,
    ...(logger ? { logger } : {}),
  });
}

/**
 * Where the Redis probe writes: the node keepwatch writes to. With one Redis or a Sentinel master
 * that is the one server the client is connected to (a write, so a replica or a demoted master
 * fails it). On a Cluster a plain key would land on a different node at each check; the probe's
 * key carries the job queues' hash tag instead (`{keepwatch:bull}`, as `bullmqPrefix` of
 * @keepwatch/jobs makes it), so it checks the node that holds the jobs and schedules.
 */
export function redisProbePrefix(config: Readonly<KeepwatchConfig>): string {
  const { prefix } = config.redis;
  return redisMode(config) === 'cluster' ? `{${prefix.replace(/:+$/, '')}:bull}:` : prefix;
}
