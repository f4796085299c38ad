import { randomUUID } from 'node:crypto';
import { metricsKeys } from '@keepwatch/metrics';
import { freePort } from '@keepwatch/test-support/net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisClient, profileEventCollector, profileEventCounter } from '../src/index.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';
// Its own prefix, so parallel test files never see these counts; the keys are deleted after.
const prefix = `kw-test-profile-events-${randomUUID()}:`;
const twicePrefix = `${prefix}twice:`;
const reader = new Redis(REDIS_URL);
afterAll(async () => {
  await reader.del(metricsKeys(prefix).family('profiles'), metricsKeys(twicePrefix).family('profiles'));
  reader.disconnect();
});

/** `keepwatch_profiles_<event>_total{kind}` as a scrape would report it. */
async function scraped(event: string, kind: 'request' | 'task'): Promise<number | undefined> {
  const families = await profileEventCollector(reader, prefix)('pretix');
  const family = families.find((f) => f.name === `keepwatch_profiles_${event}_total`);
  return family?.values.find((v) => v.labels.kind === kind)?.value;
}

describe('profileEventCounter', () => {
  it('still has the counts of the last second in Redis after a shutdown that flushes before it quits', async () => {
    const redis = createRedisClient(REDIS_URL, 'fast-fail');
    const counter = profileEventCounter(redis, prefix);
    for (let i = 0; i < 3; i++) counter.onEvent('written', { kind: 'request' });
    counter.onEvent('throttled', { kind: 'task' });
    counter.onEvent('throttled', { kind: 'task' });
    // Not a counted event: it must not show up or break the batch.
    counter.onEvent('sampled', { kind: 'request' });

    // The order the server and worker shut down in: counts first, then the connection.
    await counter.flush();
    await redis.quit();

    expect(await scraped('written', 'request')).toBe(3);
    expect(await scraped('throttled', 'task')).toBe(2);
    expect(await scraped('skipped', 'request')).toBe(0);
  });

  it('counts each event once when the timer already sent some of them', async () => {
    const redis = createRedisClient(REDIS_URL, 'fast-fail');
    const counter = profileEventCounter(redis, twicePrefix);
    counter.onEvent('skipped', { kind: 'request' });
    // Past the one-second batch, so the timer has sent the first count on its own.
    await new Promise((resolve) => setTimeout(resolve, 1300));
    counter.onEvent('skipped', { kind: 'request' });
    await counter.flush();
    await counter.flush();
    await redis.quit();

    expect(await reader.hgetall(metricsKeys(twicePrefix).family('profiles'))).toEqual({ 'skipped:request': '2' });
  });

  it('lets a shutdown go on when Redis is unreachable, rather than failing it', async () => {
    const redis = createRedisClient(`redis://127.0.0.1:${await freePort()}`, 'fast-fail');
    redis.on('error', () => undefined);
    const counter = profileEventCounter(redis, prefix);
    counter.onEvent('dropped', { kind: 'task' });
    const started = Date.now();
    await expect(counter.flush()).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5000);
    redis.disconnect();
  });
});
