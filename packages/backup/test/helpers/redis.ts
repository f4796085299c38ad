import { suffix } from '@keepwatch/test-support/names';
import { REDIS_URL, removeKeys } from '@keepwatch/test-support/redis';
import { Redis } from 'ioredis';

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
