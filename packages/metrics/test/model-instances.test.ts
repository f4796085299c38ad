import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ModelCountError,
  countModelInstances,
  createMetricsExposition,
  createMetricsStore,
  refreshModelInstances,
} from '../src/index.js';
import { connectRedis, deletePrefix, uniquePrefix } from './helpers/redis.js';
import { sampleValue } from './helpers/samples.js';

const database = `kw_metrics_models_${randomUUID().slice(0, 8)}`;

describe('model instances on PostgreSQL', () => {
  let admin: pg.Client;
  let pool: pg.Pool;

  beforeAll(async () => {
    admin = new pg.Client({
      host: '127.0.0.1',
      port: 5432,
      user: 'postgres',
      database: 'postgres',
      connectionTimeoutMillis: 5000,
    });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    pool = new pg.Pool({
      host: '127.0.0.1',
      port: 5432,
      user: 'postgres',
      database,
      max: 2,
      connectionTimeoutMillis: 5000,
    });
    // DROP DATABASE … WITH (FORCE) in afterAll may still meet a pooled connection pg is closing;
    // an idle client's error must not become an uncaught exception.
    pool.on('error', () => undefined);
    await pool.query('CREATE TABLE events (id serial PRIMARY KEY, name text)');
    await pool.query("INSERT INTO events (name) SELECT 'e' || g FROM generate_series(1, 7) g");
    await pool.query('CREATE TABLE orders (id serial PRIMARY KEY)');
    await pool.query('INSERT INTO orders SELECT FROM generate_series(1, 5000)');
    await pool.query('CREATE TABLE django_session (id serial PRIMARY KEY)');
    await pool.query('CREATE TABLE "Odd ""Name""" (id int)');
    await pool.query('INSERT INTO "Odd ""Name""" VALUES (1), (2)');
    await pool.query('ANALYZE');
    // Rows added after ANALYZE: an exact count sees them, the planner's estimate does not.
    await pool.query('INSERT INTO orders SELECT FROM generate_series(1, 100)');
    await pool.query("INSERT INTO events (name) VALUES ('late')");
  });

  afterAll(async () => {
    await pool?.end();
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('counts small tables exactly and reports the planner estimate above the threshold', async () => {
    const counts = await countModelInstances({ database: { kind: 'postgres', client: pool }, exactBelow: 1000 });
    expect(counts).toEqual([
      { model: 'Odd "Name"', count: 2, exact: true },
      { model: 'django_session', count: 0, exact: true },
      { model: 'events', count: 8, exact: true },
      { model: 'orders', count: 5000, exact: false },
    ]);
  });

  it('applies include and exclude patterns', async () => {
    const counts = await countModelInstances({
      database: { kind: 'postgres', client: pool },
      include: ['*s*'],
      exclude: ['django_*'],
    });
    expect(counts.map((c) => c.model)).toEqual(['events', 'orders']);
    expect(counts.find((c) => c.model === 'orders')).toEqual({ model: 'orders', count: 5100, exact: true });
  });

  it('writes the counts as the pretix_model_instances gauge', async () => {
    const redis: Redis = await connectRedis();
    const prefix = uniquePrefix('models');
    const store = createMetricsStore({ redis, keyPrefix: prefix, processMetrics: false });
    try {
      await refreshModelInstances(store, { database: { kind: 'postgres', client: pool }, exactBelow: 1000 });
      const { body } = await createMetricsExposition({ store }).render();
      expect(sampleValue(body, 'pretix_model_instances', { model: 'events' })).toBe(8);
      expect(sampleValue(body, 'pretix_model_instances', { model: 'orders' })).toBe(5000);
      expect(sampleValue(body, 'pretix_model_instances', { model: 'Odd "Name"' })).toBe(2);
    } finally {
      await store.close();
      await deletePrefix(redis, prefix);
      redis.disconnect();
    }
  });

  it('names the table, not the connection, when a count fails', async () => {
    const failing = {
      query: async (sql: string) => {
        if (sql.startsWith('SELECT count(*)')) throw new Error('permission denied for table events');
        return pool.query(sql, [null]);
      },
    };
    const error = await countModelInstances({
      database: { kind: 'postgres', client: failing },
      include: ['events'],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelCountError);
    expect((error as ModelCountError).message).toBe('cannot count rows of table "events"');
  });
});

describe('model instances on MariaDB', () => {
  let pool: mysql.Pool;
  let admin: mysql.Connection;

  beforeAll(async () => {
    admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', connectTimeout: 5000 });
    await admin.query(`CREATE DATABASE ${database}`);
    pool = mysql.createPool({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      database,
      connectionLimit: 2,
      connectTimeout: 5000,
    });
    await pool.query('CREATE TABLE events (id int AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB');
    await pool.query('INSERT INTO events VALUES (), (), ()');
    await pool.query('CREATE TABLE orders (id int AUTO_INCREMENT PRIMARY KEY, pad char(100)) ENGINE=InnoDB');
    await pool.query(
      "INSERT INTO orders (pad) SELECT 'x' FROM information_schema.COLUMNS a CROSS JOIN information_schema.COLLATIONS b LIMIT 3000",
    );
    await pool.query('CREATE VIEW recent_orders AS SELECT id FROM orders');
    await pool.query('ANALYZE TABLE events, orders');
  });

  afterAll(async () => {
    await pool?.end();
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${database}`);
      await admin.end();
    }
  });

  it('counts small tables exactly, estimates large ones, and leaves views out', async () => {
    const counts = await countModelInstances({ database: { kind: 'mysql', client: pool }, exactBelow: 1000 });
    expect(counts.map((c) => [c.model, c.exact])).toEqual([
      ['events', true],
      ['orders', false],
    ]);
    expect(counts[0]!.count).toBe(3);
    // InnoDB's estimate comes from sampled pages: close to, not exactly, the real count.
    expect(counts[1]!.count).toBeGreaterThan(1500);
    expect(counts[1]!.count).toBeLessThan(6000);
  });

  it('counts exactly everything below a high threshold', async () => {
    const counts = await countModelInstances({
      database: { kind: 'mysql', client: pool },
      exactBelow: 1_000_000,
      exclude: ['events'],
    });
    expect(counts).toEqual([{ model: 'orders', count: 3000, exact: true }]);
  });
});
