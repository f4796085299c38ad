import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, removeRedisPrefix, startTestServer } from './helpers/server.js';

/**
 * Another service's process on the same Redis, prefix and namespace: it declares families of its
 * own, records, and ends (its store's close sends the last flush).
 */
const shopProcess = `
import { Redis } from 'ioredis';
import { createMetricsStore } from '@keepwatch/metrics';
const redis = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1 });
const store = createMetricsStore({ redis, keyPrefix: process.env.PREFIX, processMetrics: false });
const orders = store.counter({ name: 'shop_orders_total', help: 'Orders placed.', labelNames: ['payment'] });
for (let i = 0; i < 7; i++) orders.inc({ payment: 'card' });
store
  .gauge({ name: 'shop_last_import_timestamp_seconds', help: 'Last catalogue import.', aggregate: 'max', perProcess: false })
  .set(1764000000);
await store.close();
redis.disconnect();
`;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((fn) => fn()));
});

const auth = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('GET /metrics on the assembled server', () => {
  it('is 404 when metrics are not enabled', async () => {
    const prefix = `kw-test-sm-${randomUUID()}:`;
    const server = await startTestServer({ KEEPWATCH_REDIS_URL: REDIS_URL, KEEPWATCH_REDIS_PREFIX: prefix });
    cleanups.push(async () => {
      await server.close();
      await removeRedisPrefix(prefix);
    });
    expect((await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(5000) })).status).toBe(404);
  });

  it('serves the view metrics of its own routes behind basic auth', async () => {
    const prefix = `kw-test-sm-${randomUUID()}:`;
    const server = await startTestServer({
      KEEPWATCH_REDIS_URL: REDIS_URL,
      KEEPWATCH_REDIS_PREFIX: prefix,
      KEEPWATCH_METRICS_ENABLED: 'true',
      KEEPWATCH_METRICS_USER: 'prometheus',
      KEEPWATCH_METRICS_PASSPHRASE: 'scrape-pass-123',
    });
    cleanups.push(async () => {
      await server.close();
      await removeRedisPrefix(prefix);
    });
    // Probes are left out of the view metrics; every other request counts, by route name.
    for (let i = 0; i < 3; i++)
      await (await fetch(`${server.url}/healthcheck/live`, { signal: AbortSignal.timeout(5000) })).text();
    for (let i = 0; i < 2; i++)
      await (await fetch(`${server.url}/no/such/page/${i}`, { signal: AbortSignal.timeout(5000) })).text();
    await (await fetch(`${server.url}/no/such/page`, { method: 'POST', signal: AbortSignal.timeout(5000) })).text();

    const anonymous = await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(5000) });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
    const wrong = await fetch(`${server.url}/metrics`, {
      headers: { authorization: auth('prometheus', 'nope') },
      signal: AbortSignal.timeout(5000),
    });
    expect(wrong.status).toBe(401);
    // The trailing-slash path is not the metrics endpoint: an unmatched 404 (and counted as one).
    expect((await fetch(`${server.url}/metrics/`, { signal: AbortSignal.timeout(5000) })).status).toBe(404);

    const response = await fetch(`${server.url}/metrics`, {
      headers: { authorization: auth('prometheus', 'scrape-pass-123') },
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(text).toContain('# TYPE pretix_view_requests_total counter');
    expect(text).not.toContain('url_name="/healthcheck/');
    expect(text).toMatch(/pretix_view_requests_total\{url_name="__unmatched__",method="GET",status_code="404"\} 3\n/);
    expect(text).toMatch(/pretix_view_requests_total\{url_name="__unmatched__",method="POST",status_code="404"\} 1\n/);
    expect(text).toContain('# TYPE pretix_view_durations_seconds histogram');
    expect(text).toMatch(/pretix_queue_jobs\{queue="backup",state="waiting"\} 0/);
    expect(text).not.toContain('scrape-pass-123');
  });

  it("shows the families another process declared and recorded, and keepwatch's own from 0", async () => {
    const prefix = `kw-test-sm-${randomUUID()}:`;
    const server = await startTestServer({
      KEEPWATCH_REDIS_URL: REDIS_URL,
      KEEPWATCH_REDIS_PREFIX: prefix,
      KEEPWATCH_METRICS_ENABLED: 'true',
      KEEPWATCH_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    cleanups.push(async () => {
      await server.close();
      await removeRedisPrefix(prefix);
    });
    // Run from this package, whose node_modules resolve @keepwatch/metrics and ioredis.
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', shopProcess], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { PATH: process.env.PATH ?? '', REDIS_URL, PREFIX: prefix },
      timeout: 20_000,
    });

    const response = await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('# HELP shop_orders_total Orders placed.\n# TYPE shop_orders_total counter\n');
    expect(text).toMatch(/^shop_orders_total\{payment="card"\} 7$/m);
    expect(text).toContain('# TYPE shop_last_import_timestamp_seconds gauge\n');
    expect(text).toMatch(/^shop_last_import_timestamp_seconds 1764000000$/m);

    // What the alert rules (deploy/prometheus/rules.yml) need before anything happened: every
    // configured backup source, and the dropped-observations counter, at 0.
    for (const source of ['database', 'data']) {
      expect(text).toMatch(
        new RegExp(`^keepwatch_backup_last_success_timestamp_seconds\\{source="${source}"\\} 0$`, 'm'),
      );
      expect(text).toMatch(new RegExp(`^keepwatch_backup_failures_total\\{source="${source}"\\} 0$`, 'm'));
    }
    expect(text).toMatch(/^pretix_metrics_dropped_observations_total\{reason="buffer"\} 0$/m);
    expect(text).toMatch(/^pretix_metrics_dropped_observations_total\{reason="cardinality"\} 0$/m);
    for (const event of ['skipped', 'throttled', 'written', 'dropped']) {
      expect(text).toMatch(new RegExp(`^keepwatch_profiles_${event}_total\\{kind="request"\\} 0$`, 'm'));
    }
  });
});
