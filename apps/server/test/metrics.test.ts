import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, removeRedisPrefix, startTestServer } from './helpers/server.js';

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
});
