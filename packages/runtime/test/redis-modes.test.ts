import { randomUUID } from 'node:crypto';
import { loadConfig } from '@keepwatch/config';
import { startRedisCluster, type RedisClusterSetup } from '@keepwatch/test-support/redis-cluster';
import { startRedisSentinel, type RedisSentinelSetup } from '@keepwatch/test-support/redis-sentinel';
import { Cluster, Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHealthCheckerFromConfig, openResources, type Resources, waitForRedis } from '../src/index.js';
import { redisProbePrefix } from '../src/health-from-config.js';

/*
 * Issue 20: the clients, the cache and the health check of a process configured through
 * `[redis] sentinels` and `[redis] cluster_nodes`, against deployments of this file's own
 * (passwords on the data nodes and on the Sentinels, so each reaches its client).
 */

const PASSWORD = `pw-${randomUUID()}`;
const SENTINEL_PASSWORD = `spw-${randomUUID()}`;
const logger = pino({ level: 'silent' });
let sentinel: RedisSentinelSetup;
let cluster: RedisClusterSetup;
const opened: Resources[] = [];

beforeAll(async () => {
  [sentinel, cluster] = await Promise.all([
    startRedisSentinel({ password: PASSWORD, sentinelPassword: SENTINEL_PASSWORD }),
    startRedisCluster({ password: PASSWORD }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(opened.map((resources) => resources.close()));
  await Promise.all([sentinel?.destroy(), cluster?.destroy()]);
});

describe('[redis] sentinels', () => {
  it('writes to the master the Sentinels name, checks it, and follows it through a failover', async () => {
    const prefix = `kw-test-runtime-sentinel-${randomUUID()}:`;
    const { config } = await loadConfig({
      env: {
        KEEPWATCH_REDIS_SENTINELS: sentinel.sentinels,
        KEEPWATCH_REDIS_SENTINEL_MASTER: sentinel.masterName,
        KEEPWATCH_REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD,
        // Host and port are not used: the Sentinels say where the master is.
        KEEPWATCH_REDIS_URL: `redis://:${PASSWORD}@sentinel-named-master/3`,
        KEEPWATCH_REDIS_PREFIX: prefix,
        KEEPWATCH_HEALTH_TIMEOUT: '1s',
        KEEPWATCH_HEALTH_DEADLINE: '1.5s',
      },
    });
    const resources = openResources(config, logger);
    opened.push(resources);
    const redis = resources.redis as Redis;
    expect(redis).toBeInstanceOf(Redis);
    expect(await waitForRedis(redis, 5000)).toBe(true);
    const checker = createHealthCheckerFromConfig(config, resources);
    expect((await checker.check()).ok).toBe(true);

    // Database 3 of the url, on the master.
    await redis.set(`${prefix}marker`, 'before', 'PX', 60_000);
    expect(await sentinel.cli(sentinel.masterPort, ['-n', '3', 'get', `${prefix}marker`])).toBe('before\n');
    await resources.cache.set('entry', 'cached', 60_000);
    await sentinel.waitReplicated();

    await sentinel.killMaster();
    const down = Date.now();
    const during = await checker.check();
    expect(during.ok).toBe(false);
    expect(Date.now() - down).toBeLessThan(1500 + 300);

    await sentinel.waitForFailover(20_000);
    await vi.waitFor(async () => expect((await checker.check()).ok, 'the health check after the failover').toBe(true), {
      timeout: 15_000,
      interval: 100,
    });
    // The same client now writes to the former replica, which kept what was replicated.
    expect(await redis.get(`${prefix}marker`)).toBe('before');
    expect(await resources.cache.get('entry')).toBe('cached');
    await redis.set(`${prefix}marker`, 'after');
    expect(await sentinel.cli(sentinel.replicaPort, ['-n', '3', 'get', `${prefix}marker`])).toBe('after\n');
    await checker.close();
  }, 60_000);
});

describe('[redis] cluster_nodes', () => {
  it('is a Cluster client whose health probe writes to the slot of the job queues', async () => {
    const prefix = `kw-test-runtime-cluster-${randomUUID()}:`;
    const { config } = await loadConfig({
      env: {
        KEEPWATCH_REDIS_CLUSTER_NODES: cluster.nodes,
        KEEPWATCH_REDIS_URL: `redis://:${PASSWORD}@cluster-node`,
        KEEPWATCH_REDIS_PREFIX: prefix,
      },
    });
    const resources = openResources(config, logger);
    opened.push(resources);
    expect(resources.redis).toBeInstanceOf(Cluster);
    expect(await waitForRedis(resources.redis!, 5000)).toBe(true);
    const checker = createHealthCheckerFromConfig(config, resources);
    const report = await checker.check();
    expect(report).toMatchObject({ ok: true });

    // The probe's keys share the slot of BullMQ's keys under bullmqPrefix(prefix, { cluster: true }).
    expect(redisProbePrefix(config)).toBe(`{${prefix.slice(0, -1)}:bull}:`);
    const slot = async (key: string) => (await cluster.cli(cluster.ports[0]!, ['cluster', 'keyslot', key])).trim();
    expect(await slot(`${redisProbePrefix(config)}health:x`)).toBe(
      await slot(`{${prefix.slice(0, -1)}:bull}:backup:wait`),
    );

    // Cache entries land on whatever node owns their slot.
    for (let i = 0; i < 10; i++) await resources.cache.set(`entry-${i}`, String(i), 60_000);
    for (let i = 0; i < 10; i++) expect(await resources.cache.get(`entry-${i}`)).toBe(String(i));
    for (let i = 0; i < 10; i++) await resources.cache.delete(`entry-${i}`);
    await checker.close();
  }, 30_000);
});
