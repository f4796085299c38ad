import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type OwnRedis, startOwnRedis } from '@keepwatch/test-support/own-redis';
import { type Child, startServer, stopChild } from './helpers/child.js';
import { connectRedis, uniquePrefix } from './helpers/redis.js';
import { sampleValue } from './helpers/samples.js';

// The shared Redis is never stopped: this file runs a redis-server of its own.
let own: OwnRedis;
let server: { child: Child; baseUrl: string } | undefined;
let immediateServer: { child: Child; baseUrl: string } | undefined;
const prefix = uniquePrefix('outage');

beforeAll(async () => {
  own = await startOwnRedis();
});

afterAll(async () => {
  await stopChild(server?.child, 'SIGKILL');
  await stopChild(immediateServer?.child, 'SIGKILL');
  await own.destroy();
});

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: response.status, body: await response.text() };
}

describe('Redis stopped for 10 s while requests keep coming', () => {
  it('fails no request, throws nothing unhandled, and delivers exact counts once Redis is back', async () => {
    server = await startServer({ redisPort: own.port, prefix, flushIntervalMs: 200, timeoutMs: 1000 });
    const { baseUrl } = server;
    const statuses: number[] = [];
    let scrapeStatusDuringOutage: number | undefined;

    const loop = async (ms: number): Promise<void> => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        statuses.push((await get(`${baseUrl}/orders/${statuses.length}`)).status);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };

    await loop(1500);
    await own.stop();
    // A scrape while Redis is away answers 503 within its timeout: never a 500, never a hang.
    const scrapeDuringOutage = async (): Promise<void> => {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      scrapeStatusDuringOutage = (await get(`${baseUrl}/metrics`)).status;
    };
    await Promise.all([loop(10_000), scrapeDuringOutage()]);
    await own.start();
    await loop(1500);

    expect(statuses.length).toBeGreaterThan(100);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(scrapeStatusDuringOutage).toBe(503);

    const labels = { url_name: '/orders/:id', method: 'GET', status_code: '200' };
    // The buffered deltas reach the restarted Redis.
    const body = await vi.waitFor(
      async () => {
        const { status, body } = await get(`${baseUrl}/metrics`);
        expect(status).toBe(200);
        expect(sampleValue(body, 'pretix_view_requests_total', labels)).toBe(statuses.length);
        return body;
      },
      { timeout: 20_000, interval: 250 },
    );
    expect(sampleValue(body, 'pretix_view_durations_seconds_count', labels)).toBe(statuses.length);
    expect(sampleValue(body, 'pretix_metrics_dropped_observations_total', { reason: 'buffer' })).toBe(0);

    const probe = JSON.parse((await get(`${baseUrl}/_probe`)).body) as { unhandled: number; dropped: number };
    expect(probe).toEqual({ unhandled: 0, dropped: 0 });
    expect(server.child.stderr()).not.toMatch(/unhandled/i);

    const redis: Redis = await connectRedis(own.port);
    expect(
      Number(
        await redis.hget(`{${prefix}metrics:pretix}:view_requests`, JSON.stringify(['/orders/:id', 'GET', '200'])),
      ),
    ).toBe(statuses.length);
    redis.disconnect();
  }, 60_000);

  it('in write-every-observation mode too: a shorter outage, exact counts after', async () => {
    immediateServer = await startServer({
      redisPort: own.port,
      prefix: `${prefix}immediate:`,
      flushIntervalMs: 0,
      timeoutMs: 1000,
    });
    const { baseUrl } = immediateServer;
    const statuses: number[] = [];
    const loop = async (ms: number): Promise<void> => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        statuses.push((await get(`${baseUrl}/orders/${statuses.length}`)).status);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    await loop(1000);
    await own.stop();
    await loop(3000);
    await own.start();
    await loop(1000);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    const labels = { url_name: '/orders/:id', method: 'GET', status_code: '200' };
    // Exact counts after the outage.
    await vi.waitFor(
      async () => {
        const { status, body } = await get(`${baseUrl}/metrics`);
        expect(status).toBe(200);
        expect(sampleValue(body, 'pretix_view_requests_total', labels)).toBe(statuses.length);
      },
      { timeout: 20_000, interval: 250 },
    );
    const probe = JSON.parse((await get(`${baseUrl}/_probe`)).body) as { unhandled: number; dropped: number };
    expect(probe).toEqual({ unhandled: 0, dropped: 0 });
  }, 40_000);
});
