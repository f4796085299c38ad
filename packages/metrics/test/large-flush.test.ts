import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsStore } from '../src/index.js';
import { connectRedis, deletePrefix, scanKeys, uniquePrefix } from './helpers/redis.js';

let redis: Redis;
const prefix = uniquePrefix('large-flush');

beforeAll(async () => {
  redis = await connectRedis();
});

afterAll(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

describe('a flush of many series at once', () => {
  it('lands whole, in parts that each count once, however many series the buffer holds', async () => {
    const series = 100_000;
    const store = createMetricsStore({
      redis,
      keyPrefix: prefix,
      flushIntervalMs: 3_600_000,
      processMetrics: false,
      maxSeriesPerFamily: series,
      maxBufferedSeries: series + 1,
      timeoutMs: 30_000,
    });
    try {
      const hits = store.counter({ name: 'cache_hits_total', help: 'h', labelNames: ['key'] });
      for (let i = 0; i < series; i++) hits.inc({ key: `k${i}` }, 2);
      // One snapshot of 100 000 writes used to fail for good (a call stack overflow), and was
      // retried unchanged on every flush.
      expect(await store.flush()).toBe(true);
      const family = (await store.read()).find((f) => f.name === 'cache_hits_total');
      expect(family?.values).toHaveLength(series);
      expect(family?.values.reduce((sum, v) => sum + v.value, 0)).toBe(2 * series);
      await store.close();
      // Every part's claim is released: nothing of the writes is left but the data.
      expect((await scanKeys(redis, prefix)).filter((key) => key.includes(':claim:'))).toEqual([]);
    } finally {
      await store.close();
    }
  }, 60_000);
});
