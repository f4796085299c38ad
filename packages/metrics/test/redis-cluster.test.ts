import { type RedisClusterSetup, startRedisCluster } from '@keepwatch/test-support/redis-cluster';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetricsStore, createMetricsExposition, createMetricsStore } from '../src/index.js';
import { sampleValue } from './helpers/samples.js';

// A three-node Redis Cluster of this file's own (no replicas, no persistence), on free ports.
let redisCluster: RedisClusterSetup;
let cluster: Cluster;
let store: MetricsStore;

beforeAll(async () => {
  redisCluster = await startRedisCluster();
  cluster = new Cluster([{ host: '127.0.0.1', port: redisCluster.ports[0]! }], { clusterRetryStrategy: () => null });
  cluster.on('error', () => undefined);
}, 60_000);

afterAll(async () => {
  await store?.close();
  cluster?.disconnect();
  await redisCluster?.destroy();
}, 20_000);

describe('on Redis Cluster', () => {
  it('flushes, reads and renders through one slot (the hash tag)', async () => {
    store = createMetricsStore({ redis: cluster, keyPrefix: 'test:metrics:cluster:', flushIntervalMs: 3_600_000 });
    for (let i = 0; i < 4; i++)
      store.observeView({ urlName: '/orders/:id', method: 'GET', statusCode: 200, durationSeconds: 0.02 });
    store.observeTask({ taskName: 'backup', status: 'success', durationSeconds: 3 });
    await store.setModelInstances({ orders: 42 });
    expect(await store.flush()).toBe(true);

    const { body } = await createMetricsExposition({ store }).render();
    expect(
      sampleValue(body, 'pretix_view_requests_total', { url_name: '/orders/:id', method: 'GET', status_code: '200' }),
    ).toBe(4);
    expect(sampleValue(body, 'pretix_task_duration_seconds_count', { task_name: 'backup' })).toBe(1);
    expect(sampleValue(body, 'pretix_model_instances', { model: 'orders' })).toBe(42);
    expect(body).toMatch(/^process_resident_memory_bytes\{instance="[^"]+"\} \d+/m);
  }, 30_000);
});
