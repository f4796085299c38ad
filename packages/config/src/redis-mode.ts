import { formatEndpoint } from './redis-endpoints.js';
import { redactUrl } from '@keepwatch/conventions';
import type { KeepwatchConfig } from './settings.js';

/**
 * How keepwatch reaches Redis: one server (`[redis] url` alone), a master named by Sentinels
 * (`[redis] sentinels`), or a Redis Cluster (`[redis] cluster_nodes`).
 */
export type RedisMode = 'standalone' | 'sentinel' | 'cluster';

type RedisSection = Pick<KeepwatchConfig, 'redis'>;

/** The mode the `[redis]` settings describe; undefined when Redis is not configured at all. */
export function redisMode(config: Readonly<RedisSection>): RedisMode | undefined {
  const { redis } = config;
  if (redis.sentinels) return 'sentinel';
  if (redis.cluster_nodes) return 'cluster';
  return redis.url ? 'standalone' : undefined;
}

/** The mode and where it points, secrets redacted: what `config check` and `health` print. */
export function describeRedis(config: Readonly<RedisSection>): { mode: RedisMode | 'none'; summary: string } {
  const { redis } = config;
  switch (redisMode(config)) {
    case 'sentinel':
      return {
        mode: 'sentinel',
        summary: `sentinel: master "${redis.sentinel_master}" named by ${redis.sentinels!.map(formatEndpoint).join(', ')}`,
      };
    case 'cluster':
      return {
        mode: 'cluster',
        summary: `cluster: discovered from ${redis.cluster_nodes!.map(formatEndpoint).join(', ')}`,
      };
    case 'standalone':
      return { mode: 'standalone', summary: `standalone: ${redactUrl(redis.url!)}` };
    default:
      return { mode: 'none', summary: 'none: no [redis] url, sentinels or cluster_nodes' };
  }
}

/**
 * The database a valid `[redis] url` selects, as ioredis reads it: the path (`/2`) before the
 * `?db=` parameter, 0 without either.
 */
export function redisUrlDatabase(url: string): number {
  const parsed = new URL(url);
  const fromPath = parsed.pathname.slice(1);
  return Number(fromPath || parsed.searchParams.get('db') || 0);
}
