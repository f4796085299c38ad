import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Child, runFixture, startServer, stopChild, withDeadline } from './helpers/child.js';
import { connectRedis, deletePrefix, redisPort, uniquePrefix } from './helpers/redis.js';
import { sampleValue } from './helpers/samples.js';

const prefix = uniquePrefix('fleet-families');
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

beforeAll(async () => {
  redis = await connectRedis();
});

afterAll(async () => {
  await Promise.all(children.map((c) => stopChild(c, 'SIGKILL')));
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

describe("a service's own families across processes", () => {
  it('sums what a CommonJS and an ESM process record; a process that never declared them shows them; own gauges leave with their process', async () => {
    const common = { redisPort, prefix, processIntervalMs: 300, processTtlMs: 1500 };
    const cjs = runFixture('shop-member.cjs', {
      ...common,
      instance: 'shop-cjs',
      orders: 7,
      invoices: 2.5,
      carts: 4,
    });
    const esm = runFixture('shop-member.mjs', { ...common, instance: 'shop-esm', orders: 5, invoices: 1, carts: 9 });
    children.push(cjs, esm);
    const lines = await Promise.all([
      withDeadline(cjs.firstLine, 15_000, 'CommonJS member'),
      withDeadline(esm.firstLine, 15_000, 'ESM member'),
    ]);
    expect(lines.map((line) => JSON.parse(line).module)).toEqual(['cjs', 'esm']);

    // A Fastify server on the same Redis and namespace that declares none of the shop's families.
    const server = await startServer({ redisPort, prefix, flushIntervalMs: 200, user, passphrase, instance: 'server' });
    children.push(server.child);
    const text = await scrape(server.baseUrl);
    expect(text).toContain('# HELP shop_orders_total Orders placed.\n# TYPE shop_orders_total counter\n');
    expect(text).toContain('# HELP shop_open_carts Carts open right now.\n# TYPE shop_open_carts gauge\n');
    expect(sampleValue(text, 'shop_orders_total', { payment: 'card' })).toBe(12);
    expect(sampleValue(text, 'shop_orders_total', { payment: 'invoice' })).toBe(3.5);
    expect(sampleValue(text, 'shop_open_carts')).toBe(13);

    // A clean shutdown takes the process's own gauge value with it at once; the counts stay.
    await stopChild(esm, 'SIGTERM');
    expect(esm.process.exitCode).toBe(0);
    const afterEsm = await scrape(server.baseUrl);
    expect(sampleValue(afterEsm, 'shop_open_carts')).toBe(4);
    expect(sampleValue(afterEsm, 'shop_orders_total', { payment: 'card' })).toBe(12);

    // A crash leaves it until its TTL runs out (processTtlMs, 1.5 s here); an unlabelled gauge then shows 0.
    await stopChild(cjs, 'SIGKILL');
    const afterCrash = await vi.waitFor(
      async () => {
        const body = await scrape(server.baseUrl);
        expect(sampleValue(body, 'shop_open_carts'), 'the crashed process’s gauge value').toBe(0);
        return body;
      },
      { timeout: 8000, interval: 200 },
    );
    expect(sampleValue(afterCrash, 'shop_orders_total', { payment: 'card' })).toBe(12);
  }, 60_000);
});
