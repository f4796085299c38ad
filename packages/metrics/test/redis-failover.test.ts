import { startRedisSentinel, type RedisSentinelSetup } from '@keepwatch/test-support/redis-sentinel';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMetricsExposition, createMetricsStore, type MetricsStore } from '../src/index.js';
import { sampleValue } from './helpers/samples.js';

/*
 * Issue 20: a flush whose reply is lost because the master died right after answering is sent
 * again, to the replica the Sentinels promote. Its claim (SET NX in the same script, under the
 * same hash tag) reached the replica with its deltas, as Redis replicates a script's writes
 * together, so the second delivery counts nothing twice. A master, a replica and three Sentinels
 * of this file's own.
 */

let sentinel: RedisSentinelSetup;
let client: Redis | undefined;
let store: MetricsStore | undefined;

beforeAll(async () => {
  sentinel = await startRedisSentinel();
}, 60_000);

afterAll(async () => {
  await store?.close();
  client?.disconnect();
  await sentinel?.destroy();
});

/**
 * The client, except that its first snapshot write (EVALSHA or EVAL) is applied and then reported
 * lost: `afterWrite` runs between the two (it kills the master), and the caller sees the error a
 * dropped connection gives.
 */
function losingFirstReply(target: Redis, afterWrite: () => Promise<void>): Redis {
  let armed = true;
  return new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property, object) as unknown;
      if (typeof value !== 'function') return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(object);
      if (property !== 'evalsha' && property !== 'eval') return bound;
      return async (...args: unknown[]) => {
        const result = await bound(...args);
        if (!armed) return result;
        armed = false;
        await afterWrite();
        throw new Error('Connection is closed.');
      };
    },
  });
}

describe('metrics across a Sentinel failover', () => {
  it('counts a snapshot once when its reply was lost and it is sent again to the new master', async () => {
    client = new Redis({
      sentinels: sentinel.sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
      name: sentinel.masterName,
      maxRetriesPerRequest: 1,
      commandTimeout: 2000,
      retryStrategy: () => 100,
    });
    client.on('error', () => undefined);
    const redis = losingFirstReply(client, async () => {
      await sentinel.waitReplicated();
      await sentinel.killMaster();
    });
    const created = createMetricsStore({ redis, keyPrefix: 'kw-test-metrics-failover:', flushIntervalMs: 3_600_000 });
    store = created;
    for (let i = 0; i < 7; i++)
      store.observeView({ urlName: '/orders', method: 'GET', statusCode: 200, durationSeconds: 0.01 });

    // Applied and replicated, then the master is gone before its answer arrives.
    expect(await store.flush()).toBe(false);
    await sentinel.waitForFailover(20_000);
    await vi.waitFor(async () => expect(await created.flush(), 'the flush reaching the new master').toBe(true), {
      timeout: 15_000,
      interval: 200,
    });
    for (let i = 0; i < 2; i++)
      store.observeView({ urlName: '/orders', method: 'GET', statusCode: 200, durationSeconds: 0.01 });
    expect(await store.flush()).toBe(true);

    const { body } = await createMetricsExposition({ store }).render();
    expect(
      sampleValue(body, 'pretix_view_requests_total', { url_name: '/orders', method: 'GET', status_code: '200' }),
    ).toBe(9);
    expect(await sentinel.currentMasterPort()).toBe(sentinel.replicaPort);
  }, 60_000);
});
