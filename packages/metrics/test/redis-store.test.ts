import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MetricsStore, MetricsStoreClosedError, createMetricsStore } from '../src/index.js';
import { writeSnapshot } from '../src/redis-writer.js';
import { connectRedis, deletePrefix, scanKeys, uniquePrefix } from './helpers/redis.js';
import { familyValue } from './helpers/samples.js';

let redis: Redis;
const prefix = uniquePrefix('store');
const stores: MetricsStore[] = [];

function store(options: Partial<Parameters<typeof createMetricsStore>[0]> = {}): MetricsStore {
  // A long interval: these tests decide when to flush.
  const created = createMetricsStore({
    redis,
    keyPrefix: prefix,
    flushIntervalMs: 3_600_000,
    processMetrics: false,
    ...options,
  });
  stores.push(created);
  return created;
}

const view = { urlName: '/orders/:id', method: 'GET', statusCode: 200 };
const viewLabels = { url_name: '/orders/:id', method: 'GET', status_code: '200' };

beforeAll(async () => {
  redis = await connectRedis();
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await deletePrefix(redis, prefix);
});

afterAll(() => redis.disconnect());

describe('the Redis-backed store', () => {
  it('keeps observations in memory until a flush, then shows exact counters and cumulative buckets', async () => {
    const s = store();
    s.observeView({ ...view, durationSeconds: 0.003 });
    s.observeView({ ...view, durationSeconds: 0.2 });
    s.observeView({ ...view, durationSeconds: 45 });
    expect(familyValue(await s.read(), 'pretix_view_requests_total', viewLabels)).toBeUndefined();

    expect(await s.flush()).toBe(true);
    const families = await s.read();
    expect(familyValue(families, 'pretix_view_requests_total', viewLabels)).toBe(3);
    const h = 'pretix_view_durations_seconds';
    expect(familyValue(families, h, { ...viewLabels, le: '0.005' }, `${h}_bucket`)).toBe(1);
    expect(familyValue(families, h, { ...viewLabels, le: '0.1' }, `${h}_bucket`)).toBe(1);
    expect(familyValue(families, h, { ...viewLabels, le: '0.25' }, `${h}_bucket`)).toBe(2);
    expect(familyValue(families, h, { ...viewLabels, le: '30' }, `${h}_bucket`)).toBe(2);
    expect(familyValue(families, h, { ...viewLabels, le: '+Inf' }, `${h}_bucket`)).toBe(3);
    expect(familyValue(families, h, viewLabels, `${h}_count`)).toBe(3);
    expect(familyValue(families, h, viewLabels, `${h}_sum`)).toBeCloseTo(45.203, 6);
  });

  it('records through a kept view series exactly as through observeView, across flushes, and not once closed', async () => {
    const s = store();
    const kept = s.viewSeries('/orders/:id', 'GET', 200);
    const purge = s.viewSeries('/orders/:id', 'PURGE', 200);
    kept.observe(0.003);
    s.observeView({ ...view, durationSeconds: 0.2 });
    purge.observe(0.01);
    expect(await s.flush()).toBe(true);
    kept.observe(0.004);
    expect(await s.flush()).toBe(true);
    const families = await s.read();
    expect(familyValue(families, 'pretix_view_requests_total', viewLabels)).toBe(3);
    expect(familyValue(families, 'pretix_view_requests_total', { ...viewLabels, method: 'other' })).toBe(1);
    const h = 'pretix_view_durations_seconds';
    expect(familyValue(families, h, { ...viewLabels, le: '0.005' }, `${h}_bucket`)).toBe(2);
    expect(familyValue(families, h, viewLabels, `${h}_sum`)).toBeCloseTo(0.207, 6);
    await s.close();
    kept.observe(0.5);
    const after = store();
    await after.flush();
    expect(familyValue(await after.read(), 'pretix_view_requests_total', viewLabels)).toBe(3);
  });

  it('accumulates counters across process restarts (a new store on the same prefix)', async () => {
    const first = store();
    first.observeTask({ taskName: 'backup', status: 'success', durationSeconds: 1 });
    await first.close();
    const second = store();
    second.observeTask({ taskName: 'backup', status: 'success', durationSeconds: 2 });
    second.observeTask({ taskName: 'backup', status: 'error', durationSeconds: 2 });
    await second.flush();
    const families = await second.read();
    expect(familyValue(families, 'pretix_task_runs_total', { task_name: 'backup', status: 'success' })).toBe(2);
    expect(familyValue(families, 'pretix_task_runs_total', { task_name: 'backup', status: 'error' })).toBe(1);
    // Only successful runs are timed.
    expect(
      familyValue(
        families,
        'pretix_task_duration_seconds',
        { task_name: 'backup' },
        'pretix_task_duration_seconds_count',
      ),
    ).toBe(2);
  });

  it('sends each observation at once when the flush interval is 0', async () => {
    const s = store({ flushIntervalMs: 0 });
    s.observeView({ ...view, durationSeconds: 0.01 });
    s.observeView({ ...view, durationSeconds: 0.01 });
    const key = (await scanKeys(redis, prefix)).find((k) => k.endsWith(':view_requests'));
    await vi.waitFor(
      async () => {
        const value = await redis.hget(
          key ?? `{${prefix}metrics:pretix}:view_requests`,
          JSON.stringify(['/orders/:id', 'GET', '200']),
        );
        expect(value, 'both observations in Redis').toBe('2');
      },
      { timeout: 5000, interval: 20 },
    );
  });

  it('flushes by itself on its interval', async () => {
    const s = store({ flushIntervalMs: 50 });
    s.observeView({ ...view, durationSeconds: 0.01 });
    await vi.waitFor(
      async () =>
        expect(familyValue(await s.read(), 'pretix_view_requests_total', viewLabels), 'the timed flush').toBeDefined(),
      { timeout: 5000, interval: 20 },
    );
  });

  it('puts every key under one hash tag, so a flush is one MULTI on Redis Cluster', async () => {
    const s = store({ processMetrics: true });
    s.observeView({ ...view, durationSeconds: 0.01 });
    s.observeTask({ taskName: 't', status: 'success', durationSeconds: 0.01 });
    await s.setModelInstances({ orders: 3 });
    await s.flush();
    await vi.waitFor(
      async () =>
        expect(await redis.exists(`{${prefix}metrics:pretix}:instances`), 'process metrics published').toBe(1),
      { timeout: 10_000, interval: 100 },
    );
    const keys = await scanKeys(redis, prefix);
    expect(keys.length).toBeGreaterThanOrEqual(6);
    for (const key of keys) expect(key.startsWith(`{${prefix}metrics:pretix}:`)).toBe(true);
  });

  it('has one writer for model instances: each write replaces the previous set', async () => {
    const s = store();
    await s.setModelInstances({ orders: 10, events: 2 });
    await s.setModelInstances({ orders: 11 });
    const families = await s.read();
    expect(familyValue(families, 'pretix_model_instances', { model: 'orders' })).toBe(11);
    expect(familyValue(families, 'pretix_model_instances', { model: 'events' })).toBeUndefined();
  });

  it('counts observations dropped past the buffer bound in a metric of its own', async () => {
    // One view observation needs three fields (counter, bucket, sum): room for exactly one series.
    const s = store({ maxBufferedSeries: 3 });
    s.observeView({ ...view, durationSeconds: 0.01 });
    s.observeView({ ...view, durationSeconds: 0.01 });
    s.observeView({ ...view, urlName: '/other', durationSeconds: 0.01 });
    s.observeView({ ...view, urlName: '/third', durationSeconds: 0.01 });
    expect(s.droppedObservations).toBe(2);
    await s.flush();
    const families = await s.read();
    expect(familyValue(families, 'pretix_view_requests_total', viewLabels)).toBe(2);
    expect(familyValue(families, 'pretix_view_requests_total', { ...viewLabels, url_name: '/other' })).toBeUndefined();
    expect(familyValue(families, 'pretix_metrics_dropped_observations_total', { reason: 'buffer' })).toBe(2);
    expect(familyValue(families, 'pretix_metrics_dropped_observations_total', { reason: 'cardinality' })).toBe(0);
  });

  it('sends what is buffered on close, and refuses gauge writes afterwards', async () => {
    const s = store();
    s.observeView({ ...view, durationSeconds: 0.01 });
    await s.close();
    const reader = store();
    expect(familyValue(await reader.read(), 'pretix_view_requests_total', viewLabels)).toBe(1);
    await expect(s.setModelInstances({})).rejects.toBeInstanceOf(MetricsStoreClosedError);
  });

  it('uses the configured buckets and namespace', async () => {
    const s = store({ namespace: 'shop', buckets: [0.1, 1] });
    s.observeView({ ...view, durationSeconds: 0.5 });
    await s.flush();
    const families = await s.read();
    const family = families.find((f) => f.name === 'shop_view_durations_seconds');
    expect(family?.values.filter((v) => v.metricName?.endsWith('_bucket')).map((v) => [v.labels.le, v.value])).toEqual([
      [0.1, 0],
      [1, 1],
      ['+Inf', 1],
    ]);
  });

  it('applies a snapshot delivered twice only once (a retry after a lost reply)', async () => {
    const tag = `{${prefix}metrics:pretix}`;
    const write = {
      claimKey: `${tag}:claim:retry-1`,
      droppedKey: `${tag}:dropped_observations`,
      forget: [],
      snapshot: {
        deltas: [
          { key: `${tag}:view_requests`, field: JSON.stringify(['/x', 'GET', '200']), op: 'i' as const, value: 5 },
        ],
        dropped: 1,
        droppedCardinality: 0,
      },
    };
    expect(await writeSnapshot(redis, write)).toBe(true);
    expect(await writeSnapshot(redis, write)).toBe(false);
    const families = await store().read();
    expect(
      familyValue(families, 'pretix_view_requests_total', { url_name: '/x', method: 'GET', status_code: '200' }),
    ).toBe(5);
    expect(familyValue(families, 'pretix_metrics_dropped_observations_total', { reason: 'buffer' })).toBe(1);
  });

  it('keeps about one claim per process in Redis, however many flushes', async () => {
    const s = store();
    for (let i = 0; i < 5; i++) {
      s.observeView({ ...view, durationSeconds: 0.01 });
      expect(await s.flush()).toBe(true);
    }
    const claims = async () => (await scanKeys(redis, prefix)).filter((k) => k.includes(':claim:'));
    expect(await claims()).toHaveLength(1);
    expect(familyValue(await s.read(), 'pretix_view_requests_total', viewLabels)).toBe(5);
    await s.close();
    expect(await claims()).toHaveLength(0);
  });
});
