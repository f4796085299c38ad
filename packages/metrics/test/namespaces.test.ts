import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MetricsOptions, type MetricsStore, createMetricsStore } from '../src/index.js';
import { connectRedis, deletePrefix, uniquePrefix } from './helpers/redis.js';
import { familyValue } from './helpers/samples.js';

let redis: Redis;
const prefix = uniquePrefix('namespaces');
const stores: MetricsStore[] = [];

function store(options: Partial<MetricsOptions>): MetricsStore {
  const created = createMetricsStore({ redis, keyPrefix: prefix, flushIntervalMs: 3_600_000, ...options });
  stores.push(created);
  return created;
}

beforeAll(async () => {
  redis = await connectRedis();
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

const view = { urlName: '/orders/:id', method: 'GET', statusCode: 200, durationSeconds: 0.01 };
const viewLabels = { url_name: '/orders/:id', method: 'GET', status_code: '200' };

describe('two services on one Redis prefix', () => {
  it('keep their series apart by namespace, while the processes of one namespace sum', async () => {
    const [pretixA, pretixB] = [
      store({ namespace: 'pretix', instance: 'pretix-a', processIntervalMs: 200, processTtlMs: 5000 }),
      store({ namespace: 'pretix', instance: 'pretix-b', processMetrics: false }),
    ];
    const other = store({ namespace: 'otherteam', instance: 'other-1', processMetrics: false });
    for (const s of [pretixA, pretixB]) {
      s.observeView(view);
      s.observeTask({ taskName: 'send-mail', status: 'success', durationSeconds: 0.1 });
      s.counter({ name: 'shop_orders_total', help: 'h' }).inc(2);
      s.gauge({ name: 'shop_open_carts', help: 'h' }).set(5);
    }
    await pretixA.setModelInstances({ orders: 12 });
    await Promise.all([pretixA.flush(), pretixB.flush(), other.flush()]);
    await vi.waitFor(
      async () =>
        expect(
          (await pretixB.read()).map((f) => f.name),
          'pretix-a’s process metrics',
        ).toContain('process_resident_memory_bytes'),
      { timeout: 10_000, interval: 100 },
    );

    const pretix = await pretixB.read();
    expect(familyValue(pretix, 'pretix_view_requests_total', viewLabels)).toBe(2);
    expect(familyValue(pretix, 'pretix_task_runs_total', { task_name: 'send-mail', status: 'success' })).toBe(2);
    expect(familyValue(pretix, 'pretix_model_instances', { model: 'orders' })).toBe(12);
    expect(familyValue(pretix, 'shop_orders_total', {})).toBe(4);
    expect(familyValue(pretix, 'shop_open_carts', {})).toBe(10);

    const theirs = await other.read();
    const samples = theirs.flatMap((family) => family.values.map((sample) => ({ family: family.name, sample })));
    // Only its own empty families, and its dropped counters at 0: no series of pretix's, renamed or not.
    expect(theirs.map((f) => f.name)).not.toContain('shop_orders_total');
    expect(theirs.map((f) => f.name)).not.toContain('process_resident_memory_bytes');
    expect(samples.filter(({ sample }) => sample.value !== 0)).toEqual([]);
    expect(familyValue(theirs, 'otherteam_view_requests_total', viewLabels)).toBeUndefined();
    expect(familyValue(theirs, 'otherteam_model_instances', { model: 'orders' })).toBeUndefined();
    // And the other way round.
    other.observeView(view);
    await other.flush();
    expect(familyValue(await other.read(), 'otherteam_view_requests_total', viewLabels)).toBe(1);
    expect(familyValue(await pretixA.read(), 'pretix_view_requests_total', viewLabels)).toBe(2);
  });
});
