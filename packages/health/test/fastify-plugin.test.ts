import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fastifyHealth } from '../src/fastify.js';
import { createHealthChecker, defineProbe, postgresProbe, type HealthChecker } from '../src/index.js';
import { suffix } from '@keepwatch/test-support/names';
import { type SilentListener, silentListener } from '@keepwatch/test-support/net';
import { PG, createPgDatabase, type TestPgDatabase } from '@keepwatch/test-support/postgres';

const TOKEN = `admin-${suffix()}-${suffix()}`;
const passing = defineProbe('db', () => undefined);
const failing = defineProbe('cache', () => {
  throw new Error('connect ECONNREFUSED 127.0.0.1:1');
});

let db: TestPgDatabase;
let silent: SilentListener;
const apps: FastifyInstance[] = [];
const pools: pg.Pool[] = [];

async function app(checker: HealthChecker, options: { adminToken?: string } = {}): Promise<FastifyInstance> {
  const fastify = Fastify();
  apps.push(fastify);
  await fastify.register(fastifyHealth, { checker, ...options });
  await fastify.ready();
  return fastify;
}

beforeAll(async () => {
  db = await createPgDatabase('kw_health');
  silent = await silentListener();
});
afterEach(async () => {
  await Promise.allSettled(apps.splice(0).map((a) => a.close()));
});
afterAll(async () => {
  await silent?.close();
  await Promise.allSettled(pools.map((p) => p.end()));
  await db?.drop();
});

describe('fastify health plugin (inject)', () => {
  it('answers GET /healthcheck/ with an empty 200 and Cache-Control: no-store when all pass', async () => {
    const res = await (await app(createHealthChecker({ probes: [passing] }))).inject({
      method: 'GET',
      url: '/healthcheck/',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['content-length']).toBe('0');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers an empty 503 when a probe fails, and HEAD the same', async () => {
    const fastify = await app(createHealthChecker({ probes: [passing, failing] }));
    for (const method of ['GET', 'HEAD'] as const) {
      const res = await fastify.inject({ method, url: '/healthcheck/' });
      expect(res.statusCode).toBe(503);
      expect(res.body).toBe('');
      expect(res.headers['cache-control']).toBe('no-store');
    }
    const head = await (await app(createHealthChecker({ probes: [passing] }))).inject({
      method: 'HEAD',
      url: '/healthcheck/',
    });
    expect(head.statusCode).toBe(200);
  });

  it('answers 503, not 500, when a probe throws synchronously', async () => {
    const throwing = {
      name: 'bad',
      check: () => {
        throw new TypeError('x is not a function');
      },
    };
    const res = await (await app(createHealthChecker({ probes: [throwing] }))).inject({
      method: 'GET',
      url: '/healthcheck/',
    });
    expect(res.statusCode).toBe(503);
  });

  it('serves exactly /healthcheck/ (trailing slash), whatever the Host header', async () => {
    const fastify = await app(createHealthChecker({ probes: [passing] }));
    expect(
      (await fastify.inject({ url: '/healthcheck/', headers: { host: 'anything.example:8080' } })).statusCode,
    ).toBe(200);
    expect((await fastify.inject({ url: '/healthcheck/?from=lb' })).statusCode).toBe(200);
    expect((await fastify.inject({ url: '/healthcheck' })).statusCode).toBe(404);
  });

  it('gives the per-probe JSON to a request with the admin bearer token only', async () => {
    const fastify = await app(createHealthChecker({ probes: [passing, failing] }), { adminToken: TOKEN });
    const admin = await fastify.inject({ url: '/healthcheck/', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(admin.statusCode).toBe(503);
    expect(admin.headers['content-type']).toMatch(/^application\/json/);
    expect(admin.headers['cache-control']).toBe('no-store');
    expect(admin.json()).toEqual({
      ok: false,
      checks: [
        { name: 'db', ok: true, latencyMs: expect.any(Number) },
        { name: 'cache', ok: false, latencyMs: expect.any(Number), error: 'connect ECONNREFUSED 127.0.0.1:1' },
      ],
    });
    for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN, '']) {
      const res = await fastify.inject({ url: '/healthcheck/', headers: { authorization } });
      expect(res.statusCode).toBe(503);
      expect(res.body).toBe('');
    }
    expect((await fastify.inject({ url: '/healthcheck/' })).body).toBe('');
  });

  it('answers liveness with 200 while the checks fail and while shutting down', async () => {
    const checker = createHealthChecker({ probes: [failing] });
    const fastify = await app(checker);
    const live = await fastify.inject({ url: '/healthcheck/live' });
    expect(live.statusCode).toBe(200);
    expect(live.body).toBe('');
    expect(live.headers['cache-control']).toBe('no-store');
    checker.markShuttingDown();
    expect((await fastify.inject({ url: '/healthcheck/live' })).statusCode).toBe(200);
  });

  it('turns readiness to 503 once the checker is shutting down', async () => {
    const checker = createHealthChecker({ probes: [passing] });
    const fastify = await app(checker);
    expect((await fastify.inject({ url: '/healthcheck/' })).statusCode).toBe(200);
    checker.markShuttingDown();
    expect((await fastify.inject({ url: '/healthcheck/' })).statusCode).toBe(503);
  });

  it('refuses a short admin token at registration without echoing it', async () => {
    const fastify = Fastify();
    apps.push(fastify);
    let error: unknown;
    try {
      await fastify.register(fastifyHealth, {
        checker: createHealthChecker({ probes: [] }),
        adminToken: 'short-SECRET',
      });
    } catch (e) {
      error = e;
    }
    expect((error as { code?: string }).code).toBe('KW_HEALTH_OPTIONS_INVALID');
    expect((error as Error).message).toMatch(/adminToken: must be at least 16 characters/);
    expect((error as Error).message).not.toContain('short-SECRET');
  });

  it('runs the database query once for 1000 concurrent requests (counted by PostgreSQL)', async () => {
    const seq = `hits_${suffix()}`;
    const lockKey = Math.floor(Math.random() * 1e9);
    await db.sql(`CREATE SEQUENCE ${seq}`);
    const pool = new pg.Pool({ ...PG, database: db.name, max: 4 });
    // Dropping the test database WITH (FORCE) terminates connections still closing; an idle
    // client's error must not become an uncaught exception.
    pool.on('error', () => undefined);
    pools.push(pool);
    // The test holds an advisory lock the probe query waits for, so the one check stays in
    // flight until all 1000 requests have arrived, however slow the machine is.
    const holder = await pool.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [lockKey]);
    const probe = postgresProbe({ pool, query: `SELECT nextval('${seq}'), pg_advisory_xact_lock_shared(${lockKey})` });
    const fastify = Fastify();
    apps.push(fastify);
    let arrived = 0;
    fastify.addHook('onRequest', async () => {
      arrived++;
    });
    await fastify.register(fastifyHealth, {
      checker: createHealthChecker({ probes: [probe], timeoutMs: 20_000, deadlineMs: 20_000 }),
    });
    const pending = Promise.all(Array.from({ length: 1000 }, () => fastify.inject({ url: '/healthcheck/' })));
    await vi.waitFor(() => expect(arrived).toBe(1000), { timeout: 15_000, interval: 10 });
    await holder.query('SELECT pg_advisory_unlock($1)', [lockKey]);
    holder.release();
    const responses = await pending;
    expect(responses.map((r) => r.statusCode)).toEqual(Array(1000).fill(200));
    const [row] = await db.sql<{ last_value: string; is_called: boolean }>(`SELECT last_value, is_called FROM ${seq}`);
    expect(row).toEqual({ last_value: '1', is_called: true });
  });
});

describe('fastify health plugin (real socket)', () => {
  it('answers 503 within the deadline when the database accepts TCP and never answers', async () => {
    const pool = new pg.Pool({ ...PG, port: silent.port, database: db.name, connectionTimeoutMillis: 10_000 });
    pool.on('error', () => undefined);
    pools.push(pool);
    const fastify = await app(
      createHealthChecker({ probes: [postgresProbe({ pool })], timeoutMs: 300, deadlineMs: 400 }),
    );
    const address = await fastify.listen({ port: 0, host: '127.0.0.1' });
    const started = performance.now();
    const res = await fetch(`${address}/healthcheck/`, { signal: AbortSignal.timeout(3000) });
    const elapsed = performance.now() - started;
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(400 + 300);
  });
});
