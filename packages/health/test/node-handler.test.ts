import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealthChecker, createHealthHandler, defineProbe, type HealthChecker } from '../src/index.js';
import { suffix } from '@keepwatch/test-support/names';

const TOKEN = `admin-${suffix()}-${suffix()}`;
const passing = defineProbe('db', () => undefined);
const failing = defineProbe('redis', () => Promise.reject(new Error('redis://:pw-Hidden@cache:6379 refused')));
const servers: Server[] = [];

/** A plain node:http app: the health handler first, then the app's own 418 for anything else. */
async function serve(checker: HealthChecker, options: { adminToken?: string; path?: string } = {}): Promise<string> {
  const health = createHealthHandler(checker, options);
  const server = createServer((req, res) => {
    if (health(req, res)) return;
    res.writeHead(418).end('app');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}
const get = (url: string, init: RequestInit = {}) => fetch(url, { ...init, signal: AbortSignal.timeout(5000) });

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('node:http health handler', () => {
  it('answers an empty 200 with no-store when all pass, for GET and HEAD', async () => {
    const base = await serve(createHealthChecker({ probes: [passing] }));
    for (const method of ['GET', 'HEAD']) {
      const res = await get(`${base}/healthcheck/`, { method });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-length')).toBe('0');
      expect(await res.text()).toBe('');
    }
  });

  it('answers an empty 503 when a probe fails', async () => {
    const base = await serve(createHealthChecker({ probes: [passing, failing] }));
    const res = await get(`${base}/healthcheck/?probe=lb`);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('');
  });

  it('gives the redacted per-probe JSON to the admin token only', async () => {
    const base = await serve(createHealthChecker({ probes: [passing, failing] }), { adminToken: TOKEN });
    const admin = await get(`${base}/healthcheck/`, { headers: { authorization: `bearer ${TOKEN}` } });
    expect(admin.status).toBe(503);
    const text = await admin.text();
    expect(JSON.parse(text)).toMatchObject({
      ok: false,
      checks: [
        { name: 'db', ok: true },
        { name: 'redis', ok: false },
      ],
    });
    expect(text).not.toContain('pw-Hidden');
    const wrong = await get(`${base}/healthcheck/`, { headers: { authorization: `Bearer not-${TOKEN}` } });
    expect(wrong.status).toBe(503);
    expect(await wrong.text()).toBe('');
  });

  it('answers liveness, and leaves every other request to the app', async () => {
    const checker = createHealthChecker({ probes: [failing] });
    const base = await serve(checker, { path: '/_health/' });
    expect((await get(`${base}/_health/live`)).status).toBe(200);
    expect((await get(`${base}/_health/`)).status).toBe(503);
    expect((await get(`${base}/healthcheck/`)).status).toBe(418);
    expect((await get(`${base}/_health`)).status).toBe(418);
    expect((await get(`${base}/_health/`, { method: 'POST' })).status).toBe(418);
  });

  it('turns 503 once the checker is shutting down', async () => {
    const checker = createHealthChecker({ probes: [passing] });
    const base = await serve(checker);
    expect((await get(`${base}/healthcheck/`)).status).toBe(200);
    checker.markShuttingDown();
    expect((await get(`${base}/healthcheck/`)).status).toBe(503);
    expect((await get(`${base}/healthcheck/live`)).status).toBe(200);
  });

  it('rejects a path without slashes at both ends', () => {
    expect(() => createHealthHandler(createHealthChecker({ probes: [] }), { path: '/health' })).toThrow(
      /path: must start and end with "\/"/,
    );
  });
});
