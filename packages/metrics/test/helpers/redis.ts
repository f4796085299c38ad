import { randomUUID } from 'node:crypto';
import { removeKeys } from '@keepwatch/test-support/redis';
import { Redis } from 'ioredis';

export const redisHost = '127.0.0.1';
export const redisPort = 6379;

/** A connected client to the shared Redis; fails (does not hang) when Redis is not there. */
export async function connectRedis(port = redisPort): Promise<Redis> {
  const redis = new Redis({ host: redisHost, port, lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  redis.on('error', () => undefined);
  await redis.connect();
  return redis;
}

/** A key prefix of this test file's own, so files sharing the Redis never see each other. */
export function uniquePrefix(name: string): string {
  return `kw-test-metrics-${name}-${randomUUID().slice(0, 8)}:`;
}

/** Deletes every key under the store's hash tag for `prefix`. */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  await removeKeys(redis, `*${prefix}*`);
}

export async function scanKeys(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}
