import { type KeepwatchConfig, redisMode } from '@keepwatch/config';
import { createMemoryCache, createRedisCache, type Cache } from '@keepwatch/health';
import type { Logger } from 'pino';
import { createDatabaseClient, type DatabaseClient } from './database-client.js';
import { closeRedisClient, createRedisClient, type RedisClient } from './redis-client.js';

/** The clients a keepwatch process opens from its config, and one way to close them all. */
export interface Resources {
  /** Set when `[database] url` is. */
  database: DatabaseClient | undefined;
  /** A fail-fast client (health, metrics, cache), set when Redis is configured (in any mode). */
  redis: RedisClient | undefined;
  /** The cache `[cache] backend` names; the health check tests it. */
  cache: Cache;
  close(): Promise<void>;
}

export function openResources(config: Readonly<KeepwatchConfig>, logger: Logger): Resources {
  const database = config.database.url ? createDatabaseClient(config.database.url) : undefined;
  const redis = redisMode(config) ? createRedisClient(config.redis, 'fast-fail', {}, logger) : undefined;
  const cache =
    config.cache.backend === 'redis' && redis
      ? createRedisCache({ client: redis, keyPrefix: `${config.redis.prefix}cache:` })
      : createMemoryCache();
  let closing: Promise<void> | undefined;
  return {
    database,
    redis,
    cache,
    close: () => {
      closing ??= (async () => {
        await Promise.allSettled([
          database?.close(),
          // Waits for replies to commands already sent (a last metrics flush).
          redis && closeRedisClient(redis),
        ]);
      })();
      return closing;
    },
  };
}
