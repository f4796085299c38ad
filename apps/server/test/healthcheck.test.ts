import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, silentListener } from '@keepwatch/test-support/net';
import { PG_URL, REDIS_URL, removeRedisPrefix, startTestServer } from './helpers/server.js';

const prefix = `kw-test-server-health-${randomUUID()}:`;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((fn) => fn()));
  await removeRedisPrefix(prefix);
});

async function server(env: Record<string, string>) {
  const running = await startTestServer({ KEEPWATCH_REDIS_PREFIX: prefix, ...env });
  cleanups.push(() => running.close());
  return running;
}

describe('GET /healthcheck/ on the assembled server', () => {
  it('answers 200 with an empty body when PostgreSQL, Redis and the cache work', async () => {
    const { url } = await server({ KEEPWATCH_DATABASE_URL: PG_URL, KEEPWATCH_REDIS_URL: REDIS_URL });
    const response = await fetch(`${url}/healthcheck/`, { signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 200 for MariaDB as the database', async () => {
    const { url } = await server({ KEEPWATCH_DATABASE_URL: 'mysql://root@127.0.0.1:3306/mysql' });
    const response = await fetch(`${url}/healthcheck/`, { signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(200);
  });

  it('answers 503 quickly when the database refuses connections', async () => {
    const port = await freePort();
    const { url } = await server({ KEEPWATCH_DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres` });
    const started = Date.now();
    const response = await fetch(`${url}/healthcheck/`, { signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('answers 503 within the deadline when the database accepts and never answers', async () => {
    const silent = await silentListener();
    cleanups.push(() => silent.close());
    const { url } = await server({
      KEEPWATCH_DATABASE_URL: `postgres://postgres@127.0.0.1:${silent.port}/postgres`,
      KEEPWATCH_HEALTH_TIMEOUT: '1s',
      KEEPWATCH_HEALTH_DEADLINE: '1.5s',
    });
    const started = Date.now();
    const response = await fetch(`${url}/healthcheck/`, { signal: AbortSignal.timeout(5000) });
    const elapsed = Date.now() - started;
    expect(response.status).toBe(503);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(2500);
  });

  it('answers 503 when Redis is down', async () => {
    const port = await freePort();
    const { url } = await server({ KEEPWATCH_REDIS_URL: `redis://127.0.0.1:${port}` });
    const response = await fetch(`${url}/healthcheck/`, { signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(503);
  });

  it('gives the per-probe report to the admin token only, naming no password', async () => {
    const port = await freePort();
    const token = 'admin-token-for-tests-0123456789';
    const { url } = await server({
      KEEPWATCH_DATABASE_URL: `postgres://postgres:db-password-xyz@127.0.0.1:${port}/postgres`,
      KEEPWATCH_SERVER_ADMIN_TOKEN: token,
    });
    const anonymous = await fetch(`${url}/healthcheck/`, { signal: AbortSignal.timeout(5000) });
    expect(await anonymous.text()).toBe('');
    const wrong = await fetch(`${url}/healthcheck/`, {
      headers: { authorization: 'Bearer nope' },
      signal: AbortSignal.timeout(5000),
    });
    expect(await wrong.text()).toBe('');
    const admin = await fetch(`${url}/healthcheck/`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5000),
    });
    expect(admin.status).toBe(503);
    const text = await admin.text();
    expect(text).not.toContain('db-password-xyz');
    const report = JSON.parse(text) as { ok: boolean; checks: { name: string; ok: boolean }[] };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'database')?.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'cache (memory)')?.ok).toBe(true);
  });

  it('answers the liveness check without touching the database, and HEAD too', async () => {
    const port = await freePort();
    const { url } = await server({ KEEPWATCH_DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres` });
    expect((await fetch(`${url}/healthcheck/live`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
    const head = await fetch(`${url}/healthcheck/`, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    expect(head.status).toBe(503);
  });

  it('survives malformed requests without a 500 or a crash', async () => {
    const { url } = await server({});
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${url}/healthcheck/`,
        { method: 'GET', headers: { host: '%%%', authorization: 'Bearer \u00ff' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    const ok = await fetch(`${url}/healthcheck/`, { signal: AbortSignal.timeout(5000) });
    expect(ok.status).toBe(200);
  });
});
