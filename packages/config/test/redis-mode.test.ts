import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, describeRedis, loadConfig, redisMode } from '../src/index.js';

// Issue 20: exactly one of `[redis] url` alone, `sentinels` and `cluster_nodes` says where Redis
// is; anything else stops start-up with the keys named.

const SENTINELS = '10.0.0.1:26379, 10.0.0.2:26379, [fd00::3]:26379';
const NODES = 'redis-1.internal:6379, redis-2.internal:6379';

async function problems(env: Record<string, string>): Promise<Record<string, string>> {
  const error = await loadConfig({ env, cwd: '/srv' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return Object.fromEntries((error as ConfigError).problems.map((p) => [p.key, p.message]));
}

describe('[redis] modes', () => {
  it('reads url alone as one Redis, sentinels with sentinel_master as Sentinel, cluster_nodes as Cluster', async () => {
    const none = await loadConfig({ env: {} });
    expect(redisMode(none.config)).toBeUndefined();
    expect(describeRedis(none.config)).toEqual({ mode: 'none', summary: expect.stringMatching(/^none: /) });

    const single = await loadConfig({ env: { KEEPWATCH_REDIS_URL: 'redis://:s3cret-pw@127.0.0.1:6379/2' } });
    expect(describeRedis(single.config)).toEqual({
      mode: 'standalone',
      summary: 'standalone: redis://:***@127.0.0.1:6379/2',
    });

    const sentinel = await loadConfig({
      env: {
        KEEPWATCH_REDIS_SENTINELS: SENTINELS,
        KEEPWATCH_REDIS_SENTINEL_MASTER: 'kw-main',
        KEEPWATCH_REDIS_SENTINEL_PASSWORD: 'sentinel-s3cret',
        // Only the password and the database come from the URL.
        KEEPWATCH_REDIS_URL: 'redis://:s3cret-pw@ignored/3',
      },
    });
    expect(sentinel.config.redis.sentinels).toEqual([
      { host: '10.0.0.1', port: 26379 },
      { host: '10.0.0.2', port: 26379 },
      { host: 'fd00::3', port: 26379 },
    ]);
    expect(describeRedis(sentinel.config)).toEqual({
      mode: 'sentinel',
      summary: 'sentinel: master "kw-main" named by 10.0.0.1:26379, 10.0.0.2:26379, [fd00::3]:26379',
    });
    // The cache and metrics may use Redis without a URL.
    expect(sentinel.config.cache.backend).toBe('redis');

    const cluster = await loadConfig({
      env: { KEEPWATCH_REDIS_CLUSTER_NODES: NODES, KEEPWATCH_METRICS_ENABLED: 'true' },
    });
    expect(describeRedis(cluster.config)).toEqual({
      mode: 'cluster',
      summary: 'cluster: discovered from redis-1.internal:6379, redis-2.internal:6379',
    });
  });

  it('shows the Sentinel password redacted and the endpoints as written in config check', async () => {
    const loaded = await loadConfig({
      env: {
        KEEPWATCH_REDIS_SENTINELS: SENTINELS,
        KEEPWATCH_REDIS_SENTINEL_MASTER: 'kw-main',
        KEEPWATCH_REDIS_SENTINEL_PASSWORD: 'sentinel-s3cret',
      },
    });
    const rows = Object.fromEntries(describeConfig(loaded).map((row) => [row.key, row.value]));
    expect(rows['redis.sentinels']).toBe('10.0.0.1:26379, 10.0.0.2:26379, [fd00::3]:26379');
    expect(rows['redis.sentinel_password']).toBe('[redacted]');
    expect(JSON.stringify(describeConfig(loaded))).not.toContain('sentinel-s3cret');
  });

  it('refuses sentinels and cluster_nodes together, naming both', async () => {
    const found = await problems({
      KEEPWATCH_REDIS_SENTINELS: SENTINELS,
      KEEPWATCH_REDIS_SENTINEL_MASTER: 'kw-main',
      KEEPWATCH_REDIS_CLUSTER_NODES: NODES,
    });
    expect(found['redis.cluster_nodes']).toMatch(/either \[redis\] sentinels .* or \[redis\] cluster_nodes .*not both/);
  });

  it('refuses sentinels without a master name, and Sentinel settings without sentinels', async () => {
    expect((await problems({ KEEPWATCH_REDIS_SENTINELS: SENTINELS }))['redis.sentinel_master']).toMatch(
      /must be set with \[redis\] sentinels/,
    );
    const stray = await problems({
      KEEPWATCH_REDIS_URL: 'redis://127.0.0.1:6379',
      KEEPWATCH_REDIS_SENTINEL_MASTER: 'kw-main',
      KEEPWATCH_REDIS_SENTINEL_PASSWORD: 'sentinel-s3cret',
    });
    expect(stray['redis.sentinel_master']).toMatch(/only read with \[redis\] sentinels/);
    expect(stray['redis.sentinel_password']).toMatch(/only read with \[redis\] sentinels/);
    expect(JSON.stringify(stray)).not.toContain('sentinel-s3cret');
  });

  it('refuses a database other than 0 on a Cluster, in the path or as ?db=', async () => {
    for (const url of ['redis://:pw@x/2', 'redis://x?db=1']) {
      expect((await problems({ KEEPWATCH_REDIS_CLUSTER_NODES: NODES, KEEPWATCH_REDIS_URL: url }))['redis.url']).toMatch(
        /database 0 .*a Redis Cluster has only database 0/,
      );
    }
    const zero = await loadConfig({
      env: { KEEPWATCH_REDIS_CLUSTER_NODES: NODES, KEEPWATCH_REDIS_URL: 'redis://:pw@x/0' },
    });
    expect(redisMode(zero.config)).toBe('cluster');
  });

  it.each([
    ['10.0.0.1', /"10.0.0.1" is not host:port/],
    ['10.0.0.1:26379,', /expected the Sentinels as host:port/],
    ['10.0.0.1:0', /ports go from 1 to 65535/],
    ['10.0.0.1:65536', /ports go from 1 to 65535/],
    ['[1.2.3.4]:26379', /is no IPv6 address/],
    ['bad_host:26379', /"bad_host" is no host name/],
    ['a:1, A:1', /a:1 is named twice/],
    ['redis://10.0.0.1:26379', /is not host:port/],
  ])('refuses sentinels = %j naming the key', async (value, message) => {
    const found = await problems({ KEEPWATCH_REDIS_SENTINELS: value, KEEPWATCH_REDIS_SENTINEL_MASTER: 'm' });
    expect(found['redis.sentinels']).toMatch(message);
  });

  it('refuses a master name Sentinel could not have', async () => {
    const found = await problems({
      KEEPWATCH_REDIS_SENTINELS: SENTINELS,
      KEEPWATCH_REDIS_SENTINEL_MASTER: 'my master',
    });
    expect(found['redis.sentinel_master']).toMatch(/a master name of letters, digits/);
  });
});
