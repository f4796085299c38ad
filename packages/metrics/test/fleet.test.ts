import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Child, runFixture, startServer, stopChild, withDeadline } from './helpers/child.js';
import { connectRedis, deletePrefix, redisPort, uniquePrefix } from './helpers/redis.js';
import { parseLabels, sampleValue } from './helpers/samples.js';

const prefix = uniquePrefix('fleet');
const user = 'scraper';
const passphrase = randomUUID();
const authorization = `Basic ${Buffer.from(`${user}:${passphrase}`).toString('base64')}`;
let redis: Redis;
const children: Child[] = [];

async function scrape(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`, { headers: { authorization }, signal: AbortSignal.timeout(5000) });
  expect(response.status).toBe(200);
  return response.text();
}

async function hit(baseUrl: string, path: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
  }
}

function instances(text: string, metric: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`))
    .map((line) => parseLabels(line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'))).instance!)
    .sort();
}

beforeAll(async () => {
  redis = await connectRedis();
});

afterAll(async () => {
  await Promise.all(children.map((c) => stopChild(c, 'SIGKILL')));
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

describe('a fleet of two servers and a worker on one Redis', () => {
  it('shows the exact sums on either server, and drops a dead process’s own series shortly after', async () => {
    const common = {
      redisPort,
      prefix,
      flushIntervalMs: 200,
      user,
      passphrase,
      processIntervalMs: 300,
      processTtlMs: 1500,
    };
    const [a, b] = await Promise.all([
      startServer({ ...common, instance: 'server-a' }),
      startServer({ ...common, instance: 'server-b' }),
    ]);
    children.push(a.child, b.child);
    const worker = runFixture('worker.mjs', {
      redisPort,
      prefix,
      flushIntervalMs: 200,
      instance: 'worker-1',
      runs: { ok: 7, error: 2, expected: 1 },
    });
    children.push(worker);

    await Promise.all([
      hit(a.baseUrl, '/orders/1', 30),
      hit(b.baseUrl, '/orders/2', 20),
      hit(b.baseUrl, '/nowhere', 5),
    ]);
    expect(await withDeadline(worker.exited, 15_000, 'worker fixture')).toBe(0);

    const orders = { url_name: '/orders/:id', method: 'GET', status_code: '200' };
    const unmatched = { url_name: '__unmatched__', method: 'GET', status_code: '404' };
    // B's last flush may be up to one interval away; A's own scrape flushes A first.
    const text = await vi.waitFor(
      async () => {
        const body = await scrape(a.baseUrl);
        expect(sampleValue(body, 'pretix_view_requests_total', orders), 'fleet sum on server A').toBe(50);
        expect(sampleValue(body, 'pretix_view_requests_total', unmatched), 'fleet sum on server A').toBe(5);
        return body;
      },
      { timeout: 10_000, interval: 100 },
    );
    for (const body of [text, await scrape(b.baseUrl)]) {
      expect(sampleValue(body, 'pretix_view_requests_total', orders)).toBe(50);
      expect(sampleValue(body, 'pretix_view_durations_seconds_count', orders)).toBe(50);
      expect(sampleValue(body, 'pretix_view_requests_total', unmatched)).toBe(5);
      expect(sampleValue(body, 'pretix_task_runs_total', { task_name: 'send-mail', status: 'success' })).toBe(7);
      expect(sampleValue(body, 'pretix_task_runs_total', { task_name: 'send-mail', status: 'error' })).toBe(2);
      expect(sampleValue(body, 'pretix_task_runs_total', { task_name: 'send-mail', status: 'expected-error' })).toBe(1);
      expect(sampleValue(body, 'pretix_task_duration_seconds_count', { task_name: 'send-mail' })).toBe(7);
    }

    // Each live process reports its own CPU and memory; the worker removed its own on exit.
    await vi.waitFor(
      async () =>
        expect(instances(await scrape(b.baseUrl), 'process_resident_memory_bytes')).toEqual(['server-a', 'server-b']),
      { timeout: 10_000, interval: 100 },
    );

    // A dies without a chance to clean up: its series expire within the TTL, the counts stay.
    await stopChild(a.child, 'SIGKILL');
    const after = await vi.waitFor(
      async () => {
        const body = await scrape(b.baseUrl);
        expect(instances(body, 'process_resident_memory_bytes'), 'server A’s process metrics expired').toEqual([
          'server-b',
        ]);
        return body;
      },
      { timeout: 8000, interval: 100 },
    );
    expect(sampleValue(after, 'pretix_view_requests_total', orders)).toBe(50);
  }, 60_000);
});
