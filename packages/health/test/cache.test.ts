import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cacheProbe, createHealthChecker, createMemoryCache, createRedisCache, type Cache } from '../src/index.js';
import { suffix } from '@keepwatch/test-support/names';
import { startOwnRedis } from '@keepwatch/test-support/own-redis';
import { sleep } from './helpers/timing.js';

const prefix = `kw-test-health-cache-${suffix()}:`;
const clients: Redis[] = [];
function redis(port = 6379): Redis {
  const c = new Redis({
    host: '127.0.0.1',
    port,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
  });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}
async function ready(c: Redis): Promise<Redis> {
  if (c.status !== 'ready') await new Promise((resolve) => c.once('ready', resolve));
  return c;
}

afterEach(async () => {
  const c = await ready(redis());
  const keys = await c.keys(`${prefix}*`);
  if (keys.length > 0) await c.del(...keys);
});
afterAll(() => {
  for (const c of clients) c.disconnect();
});

/** What every Cache owes its users; each implementation runs the same suite. */
function describeCacheConformance(label: string, make: () => Promise<Cache>): void {
  describe(`${label} cache conformance`, () => {
    it('returns what was set, and undefined once deleted', async () => {
      const cache = await make();
      await cache.set('a', 'one', 10_000);
      expect(await cache.get('a')).toBe('one');
      await cache.delete('a');
      expect(await cache.get('a')).toBeUndefined();
    });

    it('forgets an entry after its TTL', async () => {
      const cache = await make();
      await cache.set('short', 'v', 50);
      expect(await cache.get('short')).toBe('v');
      await sleep(120);
      expect(await cache.get('short')).toBeUndefined();
    });

    it('returns undefined for a key never set, and deleting it is harmless', async () => {
      const cache = await make();
      expect(await cache.get(`never-${suffix()}`)).toBeUndefined();
      await expect(cache.delete(`never-${suffix()}`)).resolves.toBeUndefined();
    });

    it('passes the cache probe', async () => {
      const cache = await make();
      const checker = createHealthChecker({ probes: [cacheProbe({ cache })] });
      expect(await checker.check()).toEqual({
        ok: true,
        checks: [{ name: 'cache', ok: true, latencyMs: expect.any(Number) }],
      });
    });
  });
}

describeCacheConformance('memory', async () => createMemoryCache());
describeCacheConformance('redis', async () => createRedisCache({ client: await ready(redis()), keyPrefix: prefix }));

describe('memory cache', () => {
  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const cache = createMemoryCache({ maxEntries: 2 });
    await cache.set('a', '1', 10_000);
    await cache.set('b', '2', 10_000);
    await cache.get('a');
    await cache.set('c', '3', 10_000);
    expect(await cache.get('a')).toBe('1');
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('c')).toBe('3');
  });
});

describe('redis cache', () => {
  it('stores under its prefix with a PX expiry', async () => {
    const c = await ready(redis());
    const cache = createRedisCache({ client: c, keyPrefix: prefix });
    await cache.set('k', 'v', 60_000);
    expect(await c.get(`${prefix}k`)).toBe('v');
    const ttl = await c.pttl(`${prefix}k`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('is left with no probe entry after the cache probe', async () => {
    const c = await ready(redis());
    const checker = createHealthChecker({
      probes: [cacheProbe({ cache: createRedisCache({ client: c, keyPrefix: prefix }) })],
    });
    expect((await checker.check()).ok).toBe(true);
    expect(await c.keys(`${prefix}*`)).toEqual([]);
  });
});

describe('cache probe', () => {
  it('fails when the cache does not give back what was stored', async () => {
    const forgetful: Cache = { set: async () => undefined, get: async () => undefined, delete: async () => undefined };
    const report = await createHealthChecker({ probes: [cacheProbe({ cache: forgetful, name: 'sessions' })] }).check();
    expect(report.ok).toBe(false);
    expect(report.checks[0]!.error).toMatch(/^probe "sessions": entry "health:[0-9a-f-]+" was not found after set$/);
  });

  it('fails fast when the Redis behind the cache is down', async () => {
    const own = await startOwnRedis();
    try {
      const c = await ready(redis(own.port));
      await own.stop();
      await new Promise((resolve) => (c.status === 'ready' ? c.once('close', resolve) : resolve(undefined)));
      const checker = createHealthChecker({
        probes: [cacheProbe({ cache: createRedisCache({ client: c, keyPrefix: prefix }) })],
      });
      const started = performance.now();
      const report = await checker.check();
      expect(report.ok).toBe(false);
      expect(report.checks[0]!.error).toMatch(/Stream isn't writeable|enableOfflineQueue|Connection is closed/);
      expect(performance.now() - started).toBeLessThan(200);
    } finally {
      await own.destroy();
    }
  });
});
