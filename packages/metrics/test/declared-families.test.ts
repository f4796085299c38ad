import { type OwnRedis, startOwnRedis } from '@keepwatch/test-support/own-redis';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type MetricsOptions,
  type MetricsStore,
  MetricsFamilyConflictError,
  MetricsFamilyError,
  MetricsObservationError,
  createMetricsExposition,
  createMetricsStore,
} from '../src/index.js';
import { promtoolCheck } from './helpers/promtool.js';
import { connectRedis, deletePrefix, uniquePrefix } from './helpers/redis.js';
import { familyValue, sampleValue } from './helpers/samples.js';

let redis: Redis;
const prefix = uniquePrefix('declared');
const stores: MetricsStore[] = [];

function store(options: Partial<MetricsOptions> = {}): MetricsStore {
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

async function render(s: MetricsStore): Promise<string> {
  return (await createMetricsExposition({ store: s }).render()).body;
}

beforeAll(async () => {
  redis = await connectRedis();
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await deletePrefix(redis, prefix);
});

afterAll(() => redis.disconnect());

describe('declared families', () => {
  it("record with prom-client's method shapes and render as their type, and promtool accepts them", async () => {
    const s = store();
    const orders = s.counter({ name: 'shop_orders_total', help: 'Orders placed.', labelNames: ['payment', 'country'] });
    orders.inc({ payment: 'card', country: 'DE' });
    orders.inc({ payment: 'card', country: 'DE' }, 2);
    orders.labels('card', 'FR').inc(0.5);
    orders.labels({ payment: 'invoice', country: 'DE' }).inc();
    const plain = s.counter({ name: 'shop_refunds_total', help: 'Refunds.' });
    plain.inc(3);
    const latency = s.histogram({
      name: 'shop_checkout_seconds',
      help: 'Checkout time.',
      labelNames: ['step'],
      buckets: [0.1, 1],
    });
    latency.observe({ step: 'pay' }, 0.05);
    latency.labels('pay').observe(0.5);
    latency.observe({ step: 'pay' }, 3);
    const queue = s.gauge({ name: 'shop_queue_depth', help: 'Queued mails.', labelNames: ['queue'] });
    queue.set({ queue: 'mail' }, 10);
    queue.inc({ queue: 'mail' }, 5);
    queue.dec({ queue: 'mail' });
    queue.labels('sms').set(2);
    expect(await s.flush()).toBe(true);

    const text = await render(s);
    expect(text).toContain('# HELP shop_orders_total Orders placed.\n# TYPE shop_orders_total counter\n');
    expect(sampleValue(text, 'shop_orders_total', { payment: 'card', country: 'DE' })).toBe(3);
    expect(sampleValue(text, 'shop_orders_total', { payment: 'card', country: 'FR' })).toBe(0.5);
    expect(sampleValue(text, 'shop_orders_total', { payment: 'invoice', country: 'DE' })).toBe(1);
    expect(sampleValue(text, 'shop_refunds_total')).toBe(3);
    expect(text).toContain('# TYPE shop_checkout_seconds histogram\n');
    expect(sampleValue(text, 'shop_checkout_seconds_bucket', { step: 'pay', le: '0.1' })).toBe(1);
    expect(sampleValue(text, 'shop_checkout_seconds_bucket', { step: 'pay', le: '1' })).toBe(2);
    expect(sampleValue(text, 'shop_checkout_seconds_bucket', { step: 'pay', le: '+Inf' })).toBe(3);
    expect(sampleValue(text, 'shop_checkout_seconds_count', { step: 'pay' })).toBe(3);
    expect(sampleValue(text, 'shop_checkout_seconds_sum', { step: 'pay' })).toBeCloseTo(3.55, 9);
    expect(text).toContain('# TYPE shop_queue_depth gauge\n');
    expect(sampleValue(text, 'shop_queue_depth', { queue: 'mail' })).toBe(14);
    expect(sampleValue(text, 'shop_queue_depth', { queue: 'sms' })).toBe(2);
    const checked = await promtoolCheck(text);
    expect(checked.output).toBe('');
    expect(checked.code).toBe(0);
    // OpenMetrics too (what Prometheus asks for): prom-client's writer names counters its way.
    const open = (await createMetricsExposition({ store: s }).render(true)).body;
    expect(open).toContain('# TYPE shop_orders counter\n');
    expect(open).toMatch(/^shop_orders_total\{payment="card",country="DE"\} 3$/m);
  });

  it('shows a declared family before anything is recorded: an unlabelled one at 0, a labelled one by its HELP and TYPE', async () => {
    const s = store();
    s.counter({ name: 'jobs_started_total', help: 'Jobs started.' });
    s.gauge({ name: 'jobs_running', help: 'Jobs running.' });
    s.histogram({ name: 'jobs_seconds', help: 'Job time.', buckets: [1] });
    s.counter({ name: 'jobs_failed_total', help: 'Jobs failed.', labelNames: ['job'] });
    expect(await s.flush()).toBe(true);
    // Another process that declared nothing.
    const text = await render(store());
    expect(sampleValue(text, 'jobs_started_total')).toBe(0);
    expect(sampleValue(text, 'jobs_running')).toBe(0);
    expect(sampleValue(text, 'jobs_seconds_bucket', { le: '+Inf' })).toBe(0);
    expect(sampleValue(text, 'jobs_seconds_count')).toBe(0);
    expect(text).toContain('# HELP jobs_failed_total Jobs failed.\n# TYPE jobs_failed_total counter\n');
    // prom-client's idiom for "this series exists from 0": inc by 0.
    s.counter({ name: 'jobs_failed_total', help: 'Jobs failed.', labelNames: ['job'] }).inc({ job: 'mail' }, 0);
    await s.flush();
    expect(sampleValue(await render(store()), 'jobs_failed_total', { job: 'mail' })).toBe(0);
  });

  it('combines per-process gauges by their aggregate, and keeps a fleet-wide gauge after its process is gone', async () => {
    const [a, b] = [store({ instance: 'a' }), store({ instance: 'b' })];
    const declare = (s: MetricsStore) => ({
      sum: s.gauge({ name: 'pool_open', help: 'h', aggregate: 'sum' }),
      max: s.gauge({ name: 'pool_peak', help: 'h', aggregate: 'max' }),
      min: s.gauge({ name: 'pool_free', help: 'h', aggregate: 'min' }),
      last: s.gauge({ name: 'config_version', help: 'h', aggregate: 'last' }),
      fleet: s.gauge({ name: 'last_import_timestamp_seconds', help: 'h', aggregate: 'max', perProcess: false }),
    });
    const [ga, gb] = [declare(a), declare(b)];
    ga.sum.set(3);
    gb.sum.set(4);
    ga.max.set(10);
    gb.max.set(7);
    ga.min.set(10);
    gb.min.set(7);
    gb.last.set(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    ga.last.set(2);
    ga.fleet.set(1000);
    gb.fleet.set(900);
    await Promise.all([a.flush(), b.flush()]);
    const families = await a.read();
    expect(familyValue(families, 'pool_open', {})).toBe(7);
    expect(familyValue(families, 'pool_peak', {})).toBe(10);
    expect(familyValue(families, 'pool_free', {})).toBe(7);
    expect(familyValue(families, 'config_version', {})).toBe(2);
    expect(familyValue(families, 'last_import_timestamp_seconds', {})).toBe(1000);

    // a leaves: its own values with it; the fleet-wide value stays (and 0 does not lower it).
    await a.close();
    gb.fleet.set(0);
    await b.flush();
    const after = await b.read();
    expect(familyValue(after, 'pool_open', {})).toBe(4);
    expect(familyValue(after, 'pool_peak', {})).toBe(7);
    expect(familyValue(after, 'config_version', {})).toBe(1);
    expect(familyValue(after, 'last_import_timestamp_seconds', {})).toBe(1000);
    expect(() => gb.fleet.inc()).toThrow(MetricsObservationError);
  });

  it('takes at most maxSeriesPerFamily label sets per family, counting what it drops', async () => {
    const s = store({ maxSeriesPerFamily: 3 });
    expect(familyValue(await s.read(), 'pretix_metrics_dropped_observations_total', { reason: 'cardinality' })).toBe(0);
    const hits = s.counter({ name: 'cache_hits_total', help: 'h', labelNames: ['key'] });
    const other = s.counter({ name: 'cache_misses_total', help: 'h', labelNames: ['key'] });
    for (let i = 0; i < 5; i++) hits.inc({ key: `k${i}` });
    hits.inc({ key: 'k0' }, 10);
    hits.labels('k9').inc();
    other.inc({ key: 'k4' });
    await s.flush();
    const families = await s.read();
    const keys = families.find((f) => f.name === 'cache_hits_total')?.values.map((v) => v.labels.key);
    expect(keys?.sort()).toEqual(['k0', 'k1', 'k2']);
    expect(familyValue(families, 'cache_hits_total', { key: 'k0' })).toBe(11);
    // Each family has a cap of its own.
    expect(familyValue(families, 'cache_misses_total', { key: 'k4' })).toBe(1);
    expect(familyValue(families, 'pretix_metrics_dropped_observations_total', { reason: 'cardinality' })).toBe(3);
    expect(familyValue(families, 'pretix_metrics_dropped_observations_total', { reason: 'buffer' })).toBe(0);
    expect(s.droppedObservations).toBe(3);
  });

  it('refuses a name a built-in family has, a second declaration that differs, and bad declarations, with codes', () => {
    const s = store();
    const orders = s.counter({ name: 'shop_orders_total', help: 'Orders.', labelNames: ['payment'] });
    expect(s.counter({ name: 'shop_orders_total', help: 'Orders.', labelNames: ['payment'] })).toBe(orders);
    const conflict = (fn: () => unknown, message: RegExp) => {
      expect(fn).toThrow(MetricsFamilyConflictError);
      expect(fn).toThrow(message);
      try {
        fn();
      } catch (error) {
        expect((error as MetricsFamilyConflictError).code).toBe('KW_METRICS_FAMILY_CONFLICT');
      }
    };
    conflict(
      () => s.gauge({ name: 'shop_orders_total', help: 'Orders.', labelNames: ['payment'] }),
      /shop_orders_total is declared already, as a counter with labels payment.*cannot be declared again as a gauge/,
    );
    conflict(
      () => s.counter({ name: 'shop_orders_total', help: 'Orders.', labelNames: ['country'] }),
      /labels country/,
    );
    conflict(() => s.counter({ name: 'shop_orders_total', help: 'Other help.', labelNames: ['payment'] }), /help/);
    // A gauge named like the counter's OpenMetrics family would render as one broken family.
    conflict(() => s.gauge({ name: 'shop_orders', help: 'h' }), /clashes with the declared family shop_orders_total/);
    conflict(
      () => s.counter({ name: 'pretix_view_requests_total', help: 'h' }),
      /clashes with the built-in family pretix_view_requests_total/,
    );
    conflict(
      () => s.gauge({ name: 'pretix_view_durations_seconds_count', help: 'h' }),
      /clashes with the built-in family pretix_view_durations_seconds/,
    );
    conflict(() => s.gauge({ name: 'pretix_queue_jobs', help: 'h' }), /built-in family pretix_queue_jobs/);
    conflict(() => s.gauge({ name: 'process_open_carts', help: 'h' }), /process metrics/);
    // The namespace decides what is built in: another store's names are free here.
    expect(() => store({ namespace: 'shop' }).counter({ name: 'pretix_view_requests_total', help: 'h' })).not.toThrow();

    const invalid = (fn: () => unknown, message: RegExp) => {
      expect(fn).toThrow(MetricsFamilyError);
      expect(fn).toThrow(message);
    };
    invalid(
      () => s.counter({ name: 'shop-orders', help: '' }),
      /counter "shop-orders": name: must be a Prometheus.*help/,
    );
    invalid(() => s.counter({ name: 'a', help: 'h', labelNames: ['ok', 'ok'] }), /labelNames: must not repeat/);
    invalid(() => s.counter({ name: 'a', help: 'h', labelNames: ['__x'] }), /reserved by Prometheus/);
    invalid(() => s.histogram({ name: 'a', help: 'h', labelNames: ['le'] }), /le/);
    invalid(() => s.histogram({ name: 'a', help: 'h', buckets: [1, 1] }), /strictly ascending/);
    invalid(
      () => s.gauge({ name: 'a', help: 'h', aggregate: 'sum', perProcess: false }),
      /'last', 'max' or 'min' when perProcess is false/,
    );
    invalid(() => s.gauge({ name: 'a', help: 'h', aggregate: 'avg' as never }), /aggregate/);

    expect(() => orders.inc({ country: 'DE' })).toThrow(
      /shop_orders_total has no label "country" \(declared: payment\)/,
    );
    expect(() => orders.inc({ payment: 'card' }, -1)).toThrow(MetricsObservationError);
    expect(() => orders.inc(Number.NaN)).toThrow(/finite number >= 0/);
    expect(() => orders.labels('a', 'b')).toThrow(/takes 1 label values \(payment\), got 2/);
  });
});

describe('declared families while Redis is away', () => {
  let own: OwnRedis;
  let ownClient: Redis;

  beforeAll(async () => {
    own = await startOwnRedis();
    ownClient = await connectRedis(own.port);
  });

  afterAll(async () => {
    ownClient?.disconnect();
    await own?.destroy();
  });

  it('keeps counting in memory and delivers exact counts, and the family, once Redis is back', async () => {
    const s = createMetricsStore({
      redis: ownClient,
      keyPrefix: prefix,
      flushIntervalMs: 3_600_000,
      processMetrics: false,
      timeoutMs: 500,
    });
    try {
      const orders = s.counter({ name: 'shop_orders_total', help: 'Orders placed.', labelNames: ['payment'] });
      orders.inc({ payment: 'card' });
      expect(await s.flush()).toBe(true);
      await own.stop();
      for (let i = 0; i < 100; i++) orders.inc({ payment: 'card' });
      expect(await s.flush()).toBe(false);
      // Back, with its data (SHUTDOWN SAVE), then the flush that was waiting.
      await own.start();
      await vi.waitFor(async () => expect(await s.flush(), 'the waiting flush').toBe(true), {
        timeout: 15_000,
        interval: 100,
      });
      expect(familyValue(await s.read(), 'shop_orders_total', { payment: 'card' })).toBe(101);
    } finally {
      await s.close();
    }
  }, 30_000);
});
