import { randomUUID } from 'node:crypto';
import { type MetricFamily, createMetricsStore } from '@keepwatch/metrics';
import { removeKeys } from '@keepwatch/test-support/redis';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisClient, profileEventCounter } from '../src/index.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';
// Its own prefix, so parallel test files never see these counts; the keys are deleted after.
const prefix = `kw-test-profile-events-${randomUUID()}:`;
const reader = new Redis(REDIS_URL);
afterAll(async () => {
  await removeKeys(reader, `*${prefix}*`);
  reader.disconnect();
});

function value(families: MetricFamily[], event: string, kind: string): number | undefined {
  const family = families.find((f) => f.name === `keepwatch_profiles_${event}_total`);
  return family?.values.find((v) => v.labels.kind === kind)?.value;
}

describe('profileEventCounter', () => {
  it('counts the events as families of the store, each from 0, and the store’s close sends the last of them', async () => {
    const redis = createRedisClient(REDIS_URL, 'fast-fail');
    const store = createMetricsStore({ redis, keyPrefix: prefix, flushIntervalMs: 3_600_000, processMetrics: false });
    const onEvent = profileEventCounter(store);
    for (let i = 0; i < 3; i++) onEvent('written', { kind: 'request' });
    onEvent('throttled', { kind: 'task' });
    onEvent('throttled', { kind: 'task' });
    // Not a counted event: it must not show up or break the batch.
    onEvent('sampled', { kind: 'request' });
    // The order the server and worker shut down in: the store, then the connection.
    await store.close();
    await redis.quit();

    // A process that declared nothing reads them.
    const scraper = createMetricsStore({ redis: reader, keyPrefix: prefix, processMetrics: false });
    const families = await scraper.read();
    await scraper.close();
    expect(value(families, 'written', 'request')).toBe(3);
    expect(value(families, 'throttled', 'task')).toBe(2);
    expect(value(families, 'skipped', 'request')).toBe(0);
    expect(value(families, 'dropped', 'task')).toBe(0);
    expect(families.find((f) => f.name === 'keepwatch_profiles_written_total')?.type).toBe('counter');
  });
});
