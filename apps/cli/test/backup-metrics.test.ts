import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDataDir } from '@keepwatch/test-support/data-dir';
import { freePort } from '@keepwatch/test-support/net';
import { removeKeys } from '@keepwatch/test-support/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const prefix = `kw-test-cli-metrics-${randomBytes(4).toString('hex')}:`;
const redis = new Redis('redis://127.0.0.1:6379/0', { maxRetriesPerRequest: 1 });
let dir: string;
let env: Record<string, string>;

/**
 * A declared family's series as the metrics package stores it (its README, "Redis keys"): one
 * hash per family under the namespace's tag, a field per label set.
 */
async function series(family: string, source: string): Promise<number | undefined> {
  const value = await redis.hget(`{${prefix}metrics:pretix}:family:${family}`, JSON.stringify([source]));
  return value === null ? undefined : Number(value);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-cli-metrics-'));
  makeDataDir(join(dir, 'data'));
  env = {
    KEEPWATCH_REDIS_URL: 'redis://127.0.0.1:6379/0',
    KEEPWATCH_REDIS_PREFIX: prefix,
    KEEPWATCH_METRICS_ENABLED: 'true',
    KEEPWATCH_DATA_DIR: join(dir, 'data'),
    KEEPWATCH_BACKUP_DESTINATION: join(dir, 'backups'),
    // Nothing listens there: a backup of `database` fails.
    KEEPWATCH_DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/postgres`,
  };
});

afterAll(async () => {
  await removeKeys(redis, `*${prefix}*`);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('keepwatch backup run with [metrics] enabled', { timeout: 60_000 }, () => {
  it('records its success and its failure in keepwatch_backup_*, as a worker does', async () => {
    const done = await runCli(['backup', 'run', '--source', 'data', '--json'], env);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    const { finishedAt } = JSON.parse(done.stdout) as { finishedAt: string };
    expect(await series('keepwatch_backup_last_success_timestamp_seconds', 'data')).toBe(Date.parse(finishedAt) / 1000);
    expect(await series('keepwatch_backup_last_size_bytes', 'data')).toBeGreaterThan(0);
    expect(await series('keepwatch_backup_failures_total', 'data')).toBe(0);
    // The other configured source is there from 0, for the alert rules.
    expect(await series('keepwatch_backup_last_success_timestamp_seconds', 'database')).toBe(0);
    expect(await series('keepwatch_backup_failures_total', 'database')).toBe(0);

    const failed = await runCli(['backup', 'run', '--source', 'database'], env);
    expect(failed.code).toBe(1);
    expect(await series('keepwatch_backup_failures_total', 'database')).toBe(1);
    expect(await series('keepwatch_backup_last_success_timestamp_seconds', 'database')).toBe(0);
    expect(await series('keepwatch_backup_last_success_timestamp_seconds', 'data')).toBe(Date.parse(finishedAt) / 1000);
  });
});
