import { startRedisCluster, type RedisClusterSetup } from '@keepwatch/test-support/redis-cluster';
import { startRedisSentinel, type RedisSentinelSetup } from '@keepwatch/test-support/redis-sentinel';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSourceLock } from '../src/bullmq.js';
import { BackupBusyError, BackupLockLostError, BackupLockUnavailableError } from '../src/index.js';

/*
 * Issue 20: the source lock on a Sentinel master with a replica, and on a Cluster. Redis
 * replicates asynchronously; a lease the master granted and had not passed on would be missing
 * on the replica promoted after a failover, and a second worker could take it there. These tests
 * use a deployment of their own (free ports, killed on every path).
 */

let sentinel: RedisSentinelSetup;
let cluster: RedisClusterSetup;
const clients: (Redis | Cluster)[] = [];

function sentinelClient(): Redis {
  const client = new Redis({
    sentinels: sentinel.sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
    name: sentinel.masterName,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    retryStrategy: () => 100,
  });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  [sentinel, cluster] = await Promise.all([startRedisSentinel(), startRedisCluster()]);
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await Promise.all([sentinel?.destroy(), cluster?.destroy()]);
});

describe('source lock and replication', () => {
  it('is not taken while no replica confirms it, and leaves no key behind', async () => {
    const redis = sentinelClient();
    const lock = createSourceLock({ redis, prefix: 'kw-test-lock-unconfirmed:', replicaWaitMs: 300 });
    sentinel.freeze(sentinel.replicaPort);
    try {
      const started = Date.now();
      const error = await lock.acquire('database').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackupLockUnavailableError);
      expect((error as Error).message).toMatch(/no replica confirmed the lock of source "database" within 300 ms/);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await redis.exists('kw-test-lock-unconfirmed:backup:lock:database')).toBe(0);
    } finally {
      sentinel.thaw(sentinel.replicaPort);
    }
  }, 20_000);

  it('gives the backup up before the lease can run out anywhere when renewals stay unconfirmed', async () => {
    const redis = sentinelClient();
    const key = 'kw-test-lock-deadline:backup:lock:database';
    const lock = createSourceLock({ redis, prefix: 'kw-test-lock-deadline:', ttlMs: 1800, replicaWaitMs: 100 });
    const held = await lock.acquire('database');
    const acquiredAt = Date.now();
    sentinel.freeze(sentinel.replicaPort);
    try {
      await new Promise<void>((resolve) => held.signal.addEventListener('abort', () => resolve(), { once: true }));
      const abortedAfter = Date.now() - acquiredAt;
      // ttl 1800 less a sixth to stop the backup: 1500 ms, while the master still holds the key.
      expect(abortedAfter).toBeGreaterThanOrEqual(1400);
      expect(abortedAfter).toBeLessThan(1800);
      expect(held.signal.reason).toBeInstanceOf(BackupLockLostError);
      expect(await redis.pttl(key)).toBeGreaterThan(0);
    } finally {
      sentinel.thaw(sentinel.replicaPort);
      await held.release();
    }
  }, 20_000);

  it('survives the master being killed: the promoted replica has it, the holder keeps it, nobody else gets it', async () => {
    const redis = sentinelClient();
    const other = sentinelClient();
    const key = 'kw-test-lock-failover:backup:lock:database';
    const lock = createSourceLock({ redis, prefix: 'kw-test-lock-failover:', ttlMs: 15_000 });
    const rival = createSourceLock({ redis: other, prefix: 'kw-test-lock-failover:', retryIntervalMs: 100 });
    const held = await lock.acquire('database');
    await sentinel.killMaster();
    const failoverMs = await sentinel.waitForFailover(20_000);
    expect(failoverMs).toBeLessThan(10_000);
    // Each client finds the new master through the Sentinels; then the rival is refused.
    const refused = await rival.acquire('database', { waitMs: 3000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BackupBusyError);
    expect(held.signal.aborted).toBe(false);
    expect(await sentinel.cli(sentinel.replicaPort, ['pttl', key]).then(Number)).toBeGreaterThan(0);
    await held.release();
    expect(await sentinel.cli(sentinel.replicaPort, ['exists', key]).then(Number)).toBe(0);
    const next = await rival.acquire('database');
    await next.release();
  }, 60_000);
});

describe('source lock on a Redis Cluster', () => {
  it('takes, refuses a second holder and releases on the node of the key', async () => {
    const redis = new Cluster([{ host: '127.0.0.1', port: cluster.ports[0]! }], {
      redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 2000 },
    });
    redis.on('error', () => undefined);
    clients.push(redis);
    const lock = createSourceLock({ redis, prefix: 'kw-test-lock-cluster:', retryIntervalMs: 50 });
    for (const source of ['database', 'data', 'media']) {
      const held = await lock.acquire(source);
      expect(await lock.acquire(source, { waitMs: 100 }).catch((e: unknown) => e)).toBeInstanceOf(BackupBusyError);
      await held.release();
      expect(await redis.exists(`kw-test-lock-cluster:backup:lock:${source}`)).toBe(0);
    }
  }, 20_000);
});
