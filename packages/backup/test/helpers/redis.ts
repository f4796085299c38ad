import { removeKeys } from '@keepwatch/test-support/redis';
import { Redis } from 'ioredis';
import { suffix } from './postgres.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';

/** A client for BullMQ (which needs maxRetriesPerRequest: null) and a prefix this file owns. */
export function testRedis(label: string): { redis: Redis; prefix: string; cleanup(): Promise<void> } {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null, connectTimeout: 5000 });
  const prefix = `kw-test-backup-${label}-${suffix()}`;
  return {
    redis,
    prefix,
    async cleanup() {
      await removeKeys(redis, `${prefix}*`);
      redis.disconnect();
    },
  };
}

/** Polls `check` until it returns a value, failing after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
