import { randomUUID } from 'node:crypto';
import { startRedisCluster, type RedisClusterSetup } from '@keepwatch/test-support/redis-cluster';
import { startRedisSentinel, type RedisSentinelSetup } from '@keepwatch/test-support/redis-sentinel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

// Issue 20: `keepwatch config check` and `keepwatch health` say which Redis mode is in use, and
// `health` checks the master the Sentinels name, or the Cluster, with the passwords kept out.

const PASSWORD = `pw-${randomUUID()}`;
const SENTINEL_PASSWORD = `spw-${randomUUID()}`;
let sentinel: RedisSentinelSetup;
let cluster: RedisClusterSetup;

beforeAll(async () => {
  [sentinel, cluster] = await Promise.all([
    startRedisSentinel({ password: PASSWORD, sentinelPassword: SENTINEL_PASSWORD }),
    startRedisCluster({ password: PASSWORD }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([sentinel?.destroy(), cluster?.destroy()]);
});

const sentinelEnv = () => ({
  KEEPWATCH_REDIS_SENTINELS: sentinel.sentinels,
  KEEPWATCH_REDIS_SENTINEL_MASTER: sentinel.masterName,
  KEEPWATCH_REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD,
  KEEPWATCH_REDIS_URL: `redis://:${PASSWORD}@master/0`,
  KEEPWATCH_REDIS_PREFIX: `kw-test-cli-sentinel-${randomUUID()}:`,
});
const clusterEnv = () => ({
  KEEPWATCH_REDIS_CLUSTER_NODES: cluster.nodes,
  KEEPWATCH_REDIS_URL: `redis://:${PASSWORD}@node`,
  KEEPWATCH_REDIS_PREFIX: `kw-test-cli-cluster-${randomUUID()}:`,
});

function secretsOut(result: { stdout: string; stderr: string }): void {
  expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  expect(result.stdout + result.stderr).not.toContain(SENTINEL_PASSWORD);
}

describe('keepwatch config check and health name the Redis mode', () => {
  it('on Sentinel', async () => {
    const check = await runCli(['config', 'check'], sentinelEnv());
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(`redis: sentinel: master "${sentinel.masterName}" named by ${sentinel.sentinels}\n`);
    secretsOut(check);

    const health = await runCli(['health'], sentinelEnv());
    expect(health.code).toBe(0);
    expect(health.stdout).toMatch(/^redis: sentinel: /);
    expect(health.stdout).toMatch(/^redis\s+ok/m);
    expect(health.stdout).toMatch(/^cache \(redis\)\s+ok/m);
    secretsOut(health);

    const json = await runCli(['health', '--json'], sentinelEnv());
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, redis: { mode: 'sentinel' } });
  }, 60_000);

  it('on Cluster', async () => {
    const check = await runCli(['config', 'check', '--json'], clusterEnv());
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({
      redis: { mode: 'cluster', summary: `cluster: discovered from ${cluster.nodes}` },
    });
    const health = await runCli(['health'], clusterEnv());
    expect(health.code).toBe(0);
    expect(health.stdout).toMatch(/^redis: cluster: /);
    expect(health.stdout).toMatch(/^redis\s+ok/m);
    secretsOut(health);
  }, 60_000);

  it('says so when the Sentinels name a master nobody can reach, within the deadline', async () => {
    const env = { ...sentinelEnv(), KEEPWATCH_REDIS_SENTINEL_MASTER: 'no-such-master' };
    const started = Date.now();
    const health = await runCli(['health', '--json'], env);
    expect(health.code).toBe(1);
    expect(JSON.parse(health.stdout)).toMatchObject({ ok: false, redis: { mode: 'sentinel' } });
    // waitForRedis gives the client [health] timeout (2 s) to connect, then the deadline (2.5 s).
    expect(Date.now() - started).toBeLessThan(10_000);
    secretsOut(health);
  }, 30_000);

  it('with one Redis, as before', async () => {
    const check = await runCli(['config', 'check'], { KEEPWATCH_REDIS_URL: 'redis://:secret-x@127.0.0.1:6379/0' });
    expect(check.stdout).toContain('redis: standalone: redis://:***@127.0.0.1:6379/0\n');
    const none = await runCli(['config', 'check'], {});
    expect(none.stdout).toContain('redis: none: no [redis] url, sentinels or cluster_nodes\n');
  });
});
