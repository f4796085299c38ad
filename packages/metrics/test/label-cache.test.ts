import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsStore } from '../src/index.js';
import { LabelCache } from '../src/label-cache.js';
import { connectRedis, deletePrefix, uniquePrefix } from './helpers/redis.js';
import { familyValue } from './helpers/samples.js';

describe('LabelCache', () => {
  it('gives the same frozen object for a field read again, in its place or not, and the right one after a change', () => {
    const cache = new LabelCache();
    const fields = ['["a","1"]', '["b","2"]', '["c","3"]'];
    cache.begin();
    let parse = cache.family('f', ['x', 'y']);
    const first = fields.map(parse);
    expect(first[1]).toEqual({ x: 'b', y: '2' });
    expect(Object.isFrozen(first[1])).toBe(true);

    // Same order: the same objects.
    cache.begin();
    parse = cache.family('f', ['x', 'y']);
    const again = fields.map(parse);
    for (const [i, labels] of again.entries()) expect(labels).toBe(first[i]);

    // A field gone, one new, the order changed: each field still gets its own labels.
    cache.begin();
    parse = cache.family('f', ['x', 'y']);
    const changed = ['["c","3"]', '["d","4"]', '["a","1"]'].map(parse);
    expect(changed).toEqual([
      { x: 'c', y: '3' },
      { x: 'd', y: '4' },
      { x: 'a', y: '1' },
    ]);
    expect(changed[0]).toBe(first[2]);
    expect(changed[2]).toBe(first[0]);
    // Other label names for the same family name: parsed anew.
    cache.begin();
    expect(cache.family('f', ['x'])('["a","1"]')).toBeUndefined();
  });
});

describe('scrapes of a store whose series change between them', () => {
  let redis: Redis;
  const prefix = uniquePrefix('label-cache');

  beforeAll(async () => {
    redis = await connectRedis();
  });

  afterAll(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('label every value with its own series', async () => {
    const store = createMetricsStore({ redis, keyPrefix: prefix, flushIntervalMs: 3_600_000, processMetrics: false });
    try {
      await store.setModelInstances({ orders: 1, events: 2, items: 3 });
      let families = await store.read();
      expect(familyValue(families, 'pretix_model_instances', { model: 'events' })).toBe(2);
      await store.setModelInstances({ items: 30, vouchers: 40 });
      families = await store.read();
      const models = families.find((f) => f.name === 'pretix_model_instances')?.values;
      expect(Object.fromEntries(models!.map((v) => [v.labels.model, v.value]))).toEqual({ items: 30, vouchers: 40 });
    } finally {
      await store.close();
    }
  });
});
