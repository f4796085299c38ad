import * as z from 'zod/mini';
import type { Cache } from './cache.js';
import { parseOptions } from './options.js';

/** The part of an ioredis client the cache uses. */
export interface RedisCacheClientLike {
  set(key: string, value: string, px: 'PX', milliseconds: number): Promise<unknown>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
}

export interface RedisCacheOptions {
  /** An ioredis client (see the README for the options that keep it from queueing forever). */
  client: RedisCacheClientLike;
  /**
   * Prepended to every key, so tenants and tests can share one Redis.
   * @defaultValue 'keepwatch:cache:'
   */
  keyPrefix?: string;
}

const schema = z.object({
  client: z.custom<RedisCacheClientLike>(
    (v) => typeof (v as RedisCacheClientLike | undefined)?.get === 'function',
    'must be an ioredis client',
  ),
  keyPrefix: z._default(z.string(), 'keepwatch:cache:'),
});

/** A cache in Redis: prefixed keys, TTL as `SET … PX`. */
export function createRedisCache(options: RedisCacheOptions): Cache {
  const { keyPrefix } = parseOptions('redis cache options', schema, options);
  const client = options.client;
  return {
    async set(key, value, ttlMs) {
      await client.set(keyPrefix + key, value, 'PX', ttlMs);
    },
    async get(key) {
      return (await client.get(keyPrefix + key)) ?? undefined;
    },
    async delete(key) {
      await client.del(keyPrefix + key);
    },
  };
}
