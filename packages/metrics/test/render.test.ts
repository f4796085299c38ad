import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { type MetricFamily, type MetricSample, renderFamilies } from '../src/index.js';

/** The same families through prom-client 15's own writer, as the store rendered them before. */
async function throughPromClient(families: MetricFamily[], openMetrics: boolean): Promise<string> {
  const registry = new Registry();
  registry.setContentType(
    (openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE) as never,
  );
  for (const family of families) {
    if (registry.getSingleMetric(family.name)) continue;
    const { help, type, values } = family;
    // prom-client renames a counter (drops `_total`) on the registered object before it calls
    // get() in OpenMetrics mode, so get() reads the name back from the object it changed.
    const metric = {
      name: family.name,
      help,
      type,
      aggregator: 'sum',
      get() {
        return { name: metric.name, help, type, values };
      },
      reset() {},
    };
    registry.registerMetric(metric as never);
  }
  return registry.metrics();
}

// Copies, because prom-client's writer reads (and a counter's name it changes) as it goes.
const families = (): MetricFamily[] => [
  {
    name: 'shop_orders_total',
    help: 'Orders \\ placed,\nby "payment".',
    type: 'counter',
    values: [
      { value: 3, labels: { payment: 'card', note: 'say "hi"\\now\nnext' } },
      { value: 0.5, labels: { payment: 'invoice', note: 'ünïcode ✓' } },
    ],
  },
  { name: 'shop_refunds', help: 'A counter without _total.', type: 'counter', values: [{ value: 1, labels: {} }] },
  {
    name: 'shop_checkout_seconds',
    help: 'Checkout time.',
    type: 'histogram',
    values: ((): MetricSample[] => {
      const shared = { step: 'pay', le: 'shadowed' };
      return [
        { metricName: 'shop_checkout_seconds_bucket', labels: { le: 0.1 }, sharedLabels: shared, value: 1 },
        { metricName: 'shop_checkout_seconds_bucket', labels: { le: '+Inf' }, sharedLabels: shared, value: 2 },
        { metricName: 'shop_checkout_seconds_sum', labels: {}, sharedLabels: shared, value: 1.25e-7 },
        { metricName: 'shop_checkout_seconds_count', labels: {}, sharedLabels: { step: 'pay' }, value: 2 },
        { metricName: 'shop_checkout_seconds_count', labels: {}, sharedLabels: {}, value: 0 },
      ];
    })(),
  },
  {
    name: 'shop_odd_values',
    help: 'Values a gauge may hold.',
    type: 'gauge',
    values: [
      { value: Number.NaN, labels: { kind: 'nan' } },
      { value: Number.POSITIVE_INFINITY, labels: { kind: 'inf' } },
      { value: Number.NEGATIVE_INFINITY, labels: { kind: '-inf' } },
      { value: -0, labels: { kind: 'zero' } },
      { value: 1e21, labels: { kind: 'large', instance: 'host:1' } },
    ],
  },
  { name: 'shop_empty', help: 'Declared, nothing recorded.', type: 'gauge', values: [] },
  { name: 'shop_orders_total', help: 'A second source of the same name: left out.', type: 'gauge', values: [] },
];

describe('renderFamilies', () => {
  for (const openMetrics of [false, true]) {
    it(`writes what prom-client's Registry writes, byte for byte (${openMetrics ? 'OpenMetrics' : 'text 0.0.4'})`, async () => {
      const ours = (await renderFamilies(families(), openMetrics)).body;
      expect(ours).toBe(await throughPromClient(families(), openMetrics));
    });
  }

  it('writes nothing but the end for no families, as prom-client does', async () => {
    expect((await renderFamilies([], false)).body).toBe(await throughPromClient([], false));
    expect((await renderFamilies([], true)).body).toBe(await throughPromClient([], true));
  });
});
