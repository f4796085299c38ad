import { join } from 'node:path';
import {
  resolveBackupOptions,
  resolveRetentionOptions,
  resolveRetentionPolicy,
  resolveTakeSnapshotOptions,
} from '@keepwatch/backup';
import { ConfigError, loadConfig, type KeepwatchConfig, redisMode, redisUrlDatabase } from '@keepwatch/config';
import { parseDatabaseUrl } from '@keepwatch/conventions';
import { errorMessage } from '@keepwatch/errors';
import { bearerMatches, bearerTokenDigest, createMemoryCache, resolveHealthHttpOptions } from '@keepwatch/health';
import { resolveExpositionOptions, resolveMetricsOptions, type MetricsStore } from '@keepwatch/metrics';
import { resolveProfilerOptions } from '@keepwatch/profiler';
import { Cluster, Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  backupDestinationFromConfig,
  backupLockFromConfig,
  backupOptionsFromConfig,
  backupRemoteFromConfig,
  backupRepositoryFromConfig,
  createDatabaseClient,
  createHealthCheckerFromConfig,
  createRedisClient,
  retentionPolicyFromConfig,
} from '../src/index.js';
import { postgresConnection } from '../src/database-client.js';
import { metricsStoreOptionsFromConfig } from '../src/metrics-from-config.js';
import { profilerOptionsFromConfig } from '../src/profiler-from-config.js';

/*
 * What `keepwatch config check` accepts, the processes run (issue 16, item 8): for edge values of
 * every setting that a package validates again or a driver parses, either the config refuses the
 * value, or every option the server, the worker and the CLI build from it is accepted by the
 * package it goes to, and every driver reads the connection URLs as the backup tools do. Before,
 * `[metrics] user = a:b` passed config check and stopped the server, and a password with a stray
 * "%" passed and stopped the worker with a URIError.
 */

const logger = pino({ level: 'silent' });

const base: Record<string, string> = {
  KEEPWATCH_DATA_DIR: '/srv/kw/data',
  KEEPWATCH_BACKUP_DESTINATION: '/srv/kw/backups',
  KEEPWATCH_REDIS_URL: 'redis://127.0.0.1:6379/0',
  KEEPWATCH_DATABASE_URL: 'postgres://app:pw@127.0.0.1:5432/app',
  KEEPWATCH_SERVER_ADMIN_TOKEN: '0123456789abcdef',
  KEEPWATCH_METRICS_ENABLED: 'true',
  KEEPWATCH_METRICS_USER: 'prometheus',
  KEEPWATCH_METRICS_PASSPHRASE: 'scrape-passphrase',
  KEEPWATCH_BACKUP_REMOTE: 'backup@nas.example:/srv/kw',
  KEEPWATCH_BACKUP_REMOTE_IDENTITY_FILE: '/etc/kw/id_ed25519',
  KEEPWATCH_BACKUP_REMOTE_KNOWN_HOSTS_FILE: '/etc/kw/known_hosts',
};

const candidates: Record<string, string[]> = {
  KEEPWATCH_SERVER_ADMIN_TOKEN: [
    '0123456789abcdef',
    'a token with spaces in it',
    'tökén-0123456789abcdef',
    '!"#$%&()*+,-./:;<=>?@[]^_`{|}~',
  ],
  KEEPWATCH_SERVER_SHUTDOWN_TIMEOUT: ['0', '1.5ms', '1.1s', '10m'],
  KEEPWATCH_HEALTH_TIMEOUT: ['50ms', '1.1s', '100.5ms', '0.0505s'],
  KEEPWATCH_HEALTH_DEADLINE: ['2.3s', '2500.5ms', '60s'],
  KEEPWATCH_METRICS_USER: ['prom', 'a:b', 'ü-user', 'with space'],
  KEEPWATCH_METRICS_PASSPHRASE: ['pass:word:1', '12345678'],
  KEEPWATCH_METRICS_NAMESPACE: ['shop', 'shop:x', '_x'],
  KEEPWATCH_METRICS_FLUSH_INTERVAL: ['0', '0.5ms', '1.1s', '60s', '250us'],
  KEEPWATCH_METRICS_BUCKETS: ['0.1, 1', '1e-3, 1e3', '0x10, 0x20', '1, +Inf'],
  KEEPWATCH_REDIS_PREFIX: ['a', 'kw:', ':::', 'a.b-c_d'],
  KEEPWATCH_PROFILE_RATE: ['0', '1', '1e-9', '100%', '0.5%'],
  KEEPWATCH_PROFILE_WORKER_RATE: ['0', '1', '1e-9'],
  KEEPWATCH_PROFILE_INTERVAL: ['10us', '49us', '50us', '0.05ms', '1.0005ms', '0.0005ms', '1s'],
  KEEPWATCH_PROFILE_MAX_OVERHEAD: ['1', '1e-9', '0.0001%'],
  KEEPWATCH_PROFILE_MAX_DURATION: ['100ms', '100.5ms', '0.1s', '10m'],
  KEEPWATCH_PROFILE_MAX_FILES: ['1', '1000000'],
  KEEPWATCH_PROFILE_MAX_BYTES: ['1KiB', '1023', '1.5KB', '1.0001KiB', '1TiB', '99999999999GB'],
  KEEPWATCH_BACKUP_ZSTD_LEVEL: ['1', '19'],
  KEEPWATCH_BACKUP_LOCK_WAIT: ['0', '1.0005s', '24h'],
  KEEPWATCH_BACKUP_CONNECT_TIMEOUT: ['100ms', '0.1005s', '10m'],
  KEEPWATCH_BACKUP_KEEP_LAST: ['0', '100000', '200000'],
  KEEPWATCH_BACKUP_KEEP_MONTHLY: ['1', '1000000'],
  KEEPWATCH_BACKUP_DATA_INCLUDE: ['media/**', 'x'.repeat(1000), 'x'.repeat(1001), '[', '{a,b', '/abs/**'],
  KEEPWATCH_BACKUP_TIMEZONE: ['UTC', 'Europe/Berlin', 'EST5EDT', 'Etc/GMT+5', 'utc'],
  KEEPWATCH_BACKUP_REMOTE_IDENTITY_FILE: ['/k/id', '/k/my id', "/k/i'd", '/k/$id', 'relative/id'],
  KEEPWATCH_BACKUP_REMOTE_KNOWN_HOSTS_FILE: ['/k/known_hosts', '/k/known hosts'],
  KEEPWATCH_BACKUP_REMOTE_PORT: ['1', '65535'],
  KEEPWATCH_DATABASE_URL: [
    'postgres://app@127.0.0.1/app',
    'postgres://app:Pa55%ZZx@127.0.0.1/app',
    'postgres://app:p%40ss%2Fw%3Ard%20%25@[::1]:5432/app_prod',
    'postgres://app:pw@db.internal/app?sslmode=require',
    'postgres://app:pw@db.internal/app?sslmode=verify-full',
    'postgres://app@127.0.0.1/app?password=pw',
    'postgres://app@127.0.0.1/app?user=other',
    'postgres://app:pw@127.0.0.1/app?host=elsewhere&port=6543',
    'postgres://:pw@127.0.0.1/app',
    'postgres://app:pw@127.0.0.1',
    'postgres://app:pw@127.0.0.1/a%2Fb',
    'postgres://app:pw@127.0.0.1/a%23b',
    'postgres://app:pw@127.0.0.1/%41pp',
    'postgres://app:pa ss@127.0.0.1/app%2Dx',
    'postgresql://app:pw@127.0.0.1:65535/app',
    'mysql://root:pw@127.0.0.1:3306/shop',
    'mysql://root:p%ZZ@127.0.0.1/shop',
    'mysql://:pw@127.0.0.1/shop',
    'mysql://root@127.0.0.1',
    'mariadb://root:%C3%BC@localhost/shop',
  ],
  KEEPWATCH_REDIS_URL: [
    'redis://127.0.0.1:6379',
    'redis://:p%ZZ@127.0.0.1:6379',
    'redis://:p%40ss@127.0.0.1:6379/2',
    'redis://127.0.0.1:6379/zero',
    'redis://127.0.0.1:6379/0/1',
    'redis://127.0.0.1?password=pw&db=3',
    'redis://127.0.0.1?db=first',
    'redis://127.0.0.1?maxRetriesPerRequest=5',
    'rediss://default:pw@cache.internal:6380/0?family=6',
  ],
};

/** Every problem the processes would have with this config: the packages' own verdicts. */
function runtimeProblems(config: Readonly<KeepwatchConfig>): string[] {
  const problems: string[] = [];
  const attempt = (what: string, fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      problems.push(`${what}: ${errorMessage(error)}`);
    }
  };
  const redis = new Redis('redis://127.0.0.1:1', { lazyConnect: true });
  try {
    attempt('metrics store', () => resolveMetricsOptions(metricsStoreOptionsFromConfig(config, redis, logger)));
    // As apps/server's buildApp hands them over.
    attempt('metrics exposition', () =>
      resolveExpositionOptions({
        store: { read: () => undefined } as unknown as MetricsStore,
        enabled: true,
        ...(config.metrics.user ? { user: config.metrics.user } : {}),
        ...(config.metrics.passphrase ? { passphrase: config.metrics.passphrase } : {}),
      }),
    );
    attempt('health checker', () =>
      createHealthCheckerFromConfig(config, {
        database: undefined,
        redis: undefined,
        cache: createMemoryCache(),
        close: async () => {},
      }),
    );
    const token = config.server.admin_token;
    attempt('admin token', () => {
      if (token === undefined) return;
      resolveHealthHttpOptions({ adminToken: token });
      // What a client can send: a header value is a byte string, and curl sends UTF-8.
      const sent = Buffer.from(`Bearer ${token}`, 'utf8').toString('latin1');
      if (!bearerMatches(sent, bearerTokenDigest(token)))
        throw new Error('no Authorization header can carry this token');
    });
    attempt('profiler', () => resolveProfilerOptions(profilerOptionsFromConfig(config, logger)));
    attempt('backup repository', () => backupRepositoryFromConfig(config, { env: process.env, remote: null }));
    attempt('backup destination', () => backupDestinationFromConfig(config));
    attempt('backup remote', () => backupRemoteFromConfig(config, { env: process.env }));
    attempt('backup lock', () => backupLockFromConfig(config, redis));
    attempt('backup options', () => resolveBackupOptions(backupOptionsFromConfig(config, process.env)));
    attempt('retention', () => {
      resolveRetentionPolicy(retentionPolicyFromConfig(config));
      resolveRetentionOptions({ timeZone: config.backup.timezone });
    });
    attempt('data snapshots', () =>
      resolveTakeSnapshotOptions({
        sourceDir: config.data.dir,
        destinationDir: join(config.backup.destination, 'data'),
        include: [...config.backup.data_include],
        exclude: [...config.backup.data_exclude],
      }),
    );
    if (config.database.url) attempt('database url', () => sameDatabaseEverywhere(config.database.url!));
    if (config.redis.url) attempt('redis url', () => redisReads(config.redis.url!));
    if (redisMode(config)) attempt('redis client', () => redisClientReads(config));
  } finally {
    redis.disconnect();
  }
  return problems;
}

/**
 * The health check's and model counts' driver logs in where and as whom the backup tools do: as
 * the reader both take the URL apart with (parseDatabaseUrl) says.
 */
function sameDatabaseEverywhere(url: string): void {
  const reading = parseDatabaseUrl(url);
  if (!reading.ok) throw new Error(reading.problem);
  const backup = reading.url;
  const expected = {
    host: backup.host,
    port: backup.port,
    user: backup.user,
    password: backup.password ?? '',
    database: backup.database,
  };
  if (backup.kind === 'postgres') {
    const client = new pg.Client(postgresConnection(backup));
    const seen = {
      host: client.host,
      port: client.port,
      user: client.user,
      password: client.password ?? '',
      database: client.database,
    };
    expect(seen).toEqual(expected);
    return;
  }
  const database = createDatabaseClient(url);
  if (database.kind !== 'mysql') throw new Error(`${url} is no MySQL URL to the runtime`);
  const {
    host,
    port,
    user,
    password,
    database: name,
  } = (database.pool.pool as unknown as { config: { connectionConfig: Record<string, unknown> } }).config
    .connectionConfig;
  void database.close();
  expect({ host, port, user, password: password ?? '', database: name }).toEqual(expected);
}

function redisReads(url: string): void {
  const client = new Redis(url, { lazyConnect: true });
  try {
    // A database ioredis cannot read is NaN, and NaN means "no SELECT": silently database 0.
    if (!Number.isSafeInteger(client.options.db))
      throw new Error(`ioredis reads the database as ${String(client.options.db)}`);
  } finally {
    client.disconnect();
  }
}

/**
 * The client the processes build from `[redis]` (ioredis refuses Sentinels without a master name
 * when it is constructed) talks to the database the config shows: a Cluster only has database 0.
 */
function redisClientReads(config: Readonly<KeepwatchConfig>): void {
  const client = createRedisClient(config.redis, 'fast-fail', { lazyConnect: true });
  try {
    const expected = config.redis.url ? redisUrlDatabase(config.redis.url) : 0;
    const used =
      client instanceof Cluster ? Number(client.options.redisOptions?.db ?? 0) : Number(client.options.db ?? 0);
    if (used !== expected) throw new Error(`the config says database ${expected}, the client uses ${used}`);
  } finally {
    client.disconnect();
  }
}

/**
 * Issue 20: where Redis is takes several settings together, so these are whole `[redis]` sets on
 * top of the base config (whose url then lends only its password and database; '' unsets it).
 */
const SENTINELS = '10.0.0.1:26379, 10.0.0.2:26379, [::1]:26379';
const redisModeCases: Record<string, string>[] = [
  { KEEPWATCH_REDIS_SENTINELS: SENTINELS, KEEPWATCH_REDIS_SENTINEL_MASTER: 'mymaster' },
  {
    KEEPWATCH_REDIS_SENTINELS: 'sentinel.internal:26379',
    KEEPWATCH_REDIS_SENTINEL_MASTER: 'kw.main-1',
    KEEPWATCH_REDIS_SENTINEL_PASSWORD: 'sentinel pass ü',
    KEEPWATCH_REDIS_URL: 'redis://:p%40ss@ignored:6379/4',
  },
  { KEEPWATCH_REDIS_SENTINELS: SENTINELS, KEEPWATCH_REDIS_SENTINEL_MASTER: 'mymaster', KEEPWATCH_REDIS_URL: '' },
  { KEEPWATCH_REDIS_SENTINELS: SENTINELS },
  { KEEPWATCH_REDIS_SENTINELS: SENTINELS, KEEPWATCH_REDIS_SENTINEL_MASTER: 'my master' },
  { KEEPWATCH_REDIS_SENTINELS: 'sentinel.internal', KEEPWATCH_REDIS_SENTINEL_MASTER: 'mymaster' },
  { KEEPWATCH_REDIS_SENTINEL_MASTER: 'mymaster' },
  { KEEPWATCH_REDIS_SENTINEL_PASSWORD: 'sentinel pass' },
  { KEEPWATCH_REDIS_CLUSTER_NODES: '10.0.0.1:6379, 10.0.0.2:6379' },
  { KEEPWATCH_REDIS_CLUSTER_NODES: 'node.internal:6379', KEEPWATCH_REDIS_URL: '' },
  { KEEPWATCH_REDIS_CLUSTER_NODES: 'node.internal:6379', KEEPWATCH_REDIS_URL: 'rediss://user:pw@node.internal/0' },
  { KEEPWATCH_REDIS_CLUSTER_NODES: 'node.internal:6379', KEEPWATCH_REDIS_URL: 'redis://127.0.0.1:6379/2' },
  { KEEPWATCH_REDIS_CLUSTER_NODES: 'node.internal:6379', KEEPWATCH_REDIS_URL: 'redis://127.0.0.1?db=3' },
  {
    KEEPWATCH_REDIS_CLUSTER_NODES: 'node.internal:6379',
    KEEPWATCH_REDIS_SENTINELS: SENTINELS,
    KEEPWATCH_REDIS_SENTINEL_MASTER: 'mymaster',
  },
];

describe('what config check accepts in each [redis] mode, every process runs (issue 20)', () => {
  it.each(redisModeCases)('%j: refused by the config, or accepted by every package', async (settings) => {
    const loaded = await loadConfig({ env: { ...base, ...settings }, cwd: '/srv/kw' }).catch((error: unknown) => {
      if (error instanceof ConfigError) return undefined;
      throw error;
    });
    if (loaded) expect(runtimeProblems(loaded.config)).toEqual([]);
  });

  it('accepts a Sentinel and a Cluster set, so the cases are not all refusals', async () => {
    for (const settings of [redisModeCases[0]!, redisModeCases[8]!]) {
      const { config } = await loadConfig({ env: { ...base, ...settings }, cwd: '/srv/kw' });
      expect(redisMode(config)).toBe(settings.KEEPWATCH_REDIS_SENTINELS ? 'sentinel' : 'cluster');
    }
  });
});

const cases = Object.entries(candidates).flatMap(([name, values]) => values.map((value) => [name, value] as const));

describe('what config check accepts, every process runs', () => {
  it('holds for the base config the cases start from', async () => {
    const { config } = await loadConfig({ env: base });
    expect(runtimeProblems(config)).toEqual([]);
  });

  it.each(cases)('%s = %j: refused by the config, or accepted by every package', async (name, value) => {
    const loaded = await loadConfig({ env: { ...base, [name]: value }, cwd: '/srv/kw' }).catch((error: unknown) => {
      if (error instanceof ConfigError) return undefined;
      throw error;
    });
    if (loaded) expect(runtimeProblems(loaded.config)).toEqual([]);
  });

  it('accepts at least one value of every setting tried, so the cases are not all refusals', async () => {
    for (const [name, values] of Object.entries(candidates)) {
      let accepted = 0;
      for (const value of values) {
        accepted += await loadConfig({ env: { ...base, [name]: value }, cwd: '/srv/kw' }).then(
          () => 1,
          () => 0,
        );
      }
      expect(accepted, name).toBeGreaterThan(0);
    }
  });
});
