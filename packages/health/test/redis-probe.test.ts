import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHealthChecker, redisProbe } from '../src/index.js';
import { suffix } from '@keepwatch/test-support/names';
import { freePort, type SilentListener, silentListener } from '@keepwatch/test-support/net';
import { startOwnRedis } from '@keepwatch/test-support/own-redis';
import { describeProbeConformance } from './helpers/probe-conformance.js';

/** The options the README tells apps to use: fail commands at once while disconnected. */
const APP_OPTIONS: RedisOptions = { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1000 };
const DB = 0;
const prefix = `kw-test-health-${suffix()}:`;
let silent: SilentListener;
const clients: Redis[] = [];

function client(options: RedisOptions = {}): Redis {
  const c = new Redis({ host: '127.0.0.1', port: 6379, db: DB, ...APP_OPTIONS, ...options });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}
async function ready(c: Redis): Promise<Redis> {
  if (c.status !== 'ready') await new Promise((resolve) => c.once('ready', resolve));
  return c;
}

beforeAll(async () => {
  silent = await silentListener();
});
afterEach(async () => {
  const c = await ready(client());
  const keys = await c.keys(`${prefix}*`);
  if (keys.length > 0) await c.del(...keys);
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await silent?.close();
});

describeProbeConformance('redis', {
  healthy: async () => redisProbe({ client: await ready(client()), keyPrefix: prefix }),
  down: async () => redisProbe({ client: client({ port: await freePort() }), keyPrefix: prefix }),
  silent: () => redisProbe({ client: client({ port: silent.port }), keyPrefix: prefix }),
});

describe('redis probe', () => {
  it('writes a short-lived key under the prefix, reads it back and leaves nothing behind', async () => {
    const monitor = await client().monitor();
    const commands: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args));
    const checker = createHealthChecker({
      probes: [redisProbe({ client: await ready(client()), keyPrefix: prefix, ttlMs: 7000 })],
    });
    expect((await checker.check()).ok).toBe(true);
    await vi.waitFor(() => expect(commands.some((c) => c[0]?.toLowerCase() === 'del')).toBe(true), {
      timeout: 2000,
      interval: 20,
    });
    monitor.disconnect();

    const set = commands.find((c) => c[0]?.toLowerCase() === 'set');
    expect(set?.[1]).toMatch(new RegExp(`^${prefix}health:[0-9a-f-]{36}$`));
    expect(set?.slice(3)).toEqual(['PX', '7000']);
    expect(commands.some((c) => c[0]?.toLowerCase() === 'get' && c[1] === set?.[1])).toBe(true);
    expect(await (await ready(client())).keys(`${prefix}*`)).toEqual([]);
  });

  it('fails fast once its Redis stops, without queueing commands, and recovers when it is back', async () => {
    const own = await startOwnRedis();
    try {
      const c = await ready(client({ port: own.port, retryStrategy: () => 50 }));
      const checker = createHealthChecker({ probes: [redisProbe({ client: c, keyPrefix: prefix })], timeoutMs: 2000 });
      expect((await checker.check()).ok).toBe(true);
      await own.stop();
      await new Promise((resolve) => (c.status === 'ready' ? c.once('close', resolve) : resolve(undefined)));
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const report = await checker.check();
        expect(report.ok).toBe(false);
        expect(report.checks[0]!.error).toMatch(/client is not ready \(status "(reconnecting|connecting|close)"\)/);
        expect(performance.now() - started).toBeLessThan(100);
      }
      await own.start();
      await ready(c);
      expect((await checker.check()).ok).toBe(true);
    } finally {
      await own.destroy();
    }
  });

  it('answers within its timeout even with ioredis defaults (offline queue on) while Redis is down', async () => {
    const own = await startOwnRedis();
    try {
      const c = await ready(client({ port: own.port, enableOfflineQueue: true, maxRetriesPerRequest: null }));
      await own.stop();
      const checker = createHealthChecker({ probes: [redisProbe({ client: c, keyPrefix: prefix })], timeoutMs: 500 });
      const started = performance.now();
      const report = await checker.check();
      expect(report.ok).toBe(false);
      expect(performance.now() - started).toBeLessThan(500);
    } finally {
      await own.destroy();
    }
  });

  it('times out when Redis is connected but does not answer (CLIENT PAUSE on our own server)', async () => {
    const own = await startOwnRedis();
    try {
      const c = await ready(client({ port: own.port }));
      const admin = await ready(client({ port: own.port }));
      const checker = createHealthChecker({ probes: [redisProbe({ client: c, keyPrefix: prefix })], timeoutMs: 300 });
      expect((await checker.check()).ok).toBe(true);
      await admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
      const started = performance.now();
      const report = await checker.check();
      expect(report.checks[0]!.error).toBe('probe "redis" timed out after 300 ms');
      expect(performance.now() - started).toBeLessThan(300 + 200);
    } finally {
      await own.destroy();
    }
  });
});
