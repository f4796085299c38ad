import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabaseClient, createRedisClient, DatabaseUrlError, databaseKind } from '../src/index.js';
import { freePort } from '@keepwatch/test-support/net';

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.allSettled(closers.map((close) => close()));
});

describe('createDatabaseClient', () => {
  it('knows the kind from the scheme', () => {
    expect(databaseKind('postgresql://x@h/db')).toBe('postgres');
    expect(databaseKind('mariadb://x@h/db')).toBe('mysql');
  });

  it('refuses, naming the part and never the password, a URL the config would refuse', () => {
    // Only a config built by hand gets here; before, this made a pool that logged in as $USER.
    const attempt = () => createDatabaseClient('postgres://:Pa55-s3cret@127.0.0.1:5432/app');
    expect(attempt).toThrow(DatabaseUrlError);
    expect(attempt).toThrow(/^\[database\] url: expected a user name in the URL/);
    expect(attempt).not.toThrow(/Pa55-s3cret/);
  });

  it('queries the real PostgreSQL', async () => {
    const client = createDatabaseClient('postgres://postgres@127.0.0.1:5432/postgres');
    closers.push(() => client.close());
    expect(client.kind).toBe('postgres');
    if (client.kind !== 'postgres') throw new Error('unreachable');
    const { rows } = await client.pool.query<{ one: number }>('SELECT 1 AS one');
    expect(rows[0]?.one).toBe(1);
  });

  it('queries the real MariaDB', async () => {
    const client = createDatabaseClient('mysql://root@127.0.0.1:3306/mysql');
    closers.push(() => client.close());
    if (client.kind !== 'mysql') throw new Error('expected mysql');
    const [rows] = await client.pool.query('SELECT 1 AS one');
    expect((rows as { one: number }[])[0]?.one).toBe(1);
  });
});

describe('createRedisClient', () => {
  it('talks to the real Redis', async () => {
    const redis = createRedisClient('redis://127.0.0.1:6379/0', 'fast-fail');
    closers.push(async () => redis.disconnect());
    const key = `kw-test-runtime-clients-${randomUUID()}`;
    await redis.set(key, 'v', 'PX', 5000);
    expect(await redis.get(key)).toBe('v');
    expect(await redis.del(key)).toBe(1);
  });

  it('answers within its bound instead of queueing forever when Redis is down', async () => {
    const port = await freePort();
    const redis = createRedisClient(`redis://127.0.0.1:${port}`, 'fast-fail');
    const errors: Error[] = [];
    redis.on('error', (error: Error) => errors.push(error));
    closers.push(async () => redis.disconnect());
    const started = Date.now();
    await expect(redis.get('x')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('gives BullMQ the option it requires', () => {
    const redis = createRedisClient('redis://127.0.0.1:6379', 'bullmq', { lazyConnect: true });
    expect(redis.options.maxRetriesPerRequest).toBeNull();
    redis.disconnect();
  });
});
