import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetricFamily, type MetricsStore, type ViewRecorder, createMetricsStore } from '../../src/index.js';
import { connectRedis, deletePrefix, uniquePrefix } from './redis.js';
import { familyValue } from './samples.js';

/**
 * What every HTTP adapter must do, run against a real server on a real socket. An adapter's
 * test starts an app with these routes, instrumented with the given recorder:
 * - `GET /orders/:id` → 200, `GET /orders` named `order-list` → 200, `GET /boom` → 500,
 * - `GET /healthcheck/` → 200, `GET /metrics` → 200, anything else → 404.
 */
export type StartApp = (recorder: ViewRecorder) => Promise<{ baseUrl: string; close: () => Promise<void> }>;

export function describeAdapterConformance(adapter: string, start: StartApp): void {
  describe(`${adapter} view instrumentation`, () => {
    let redis: Redis;
    let store: MetricsStore;
    let app: Awaited<ReturnType<StartApp>>;
    let families: MetricFamily[];
    const prefix = uniquePrefix(`adapter-${adapter}`);
    const requests = (l: Record<string, string>) => familyValue(families, 'pretix_view_requests_total', l);

    beforeAll(async () => {
      redis = await connectRedis();
      store = createMetricsStore({ redis, keyPrefix: prefix, flushIntervalMs: 3_600_000, processMetrics: false });
      app = await start(store);
      const send = async (path: string, method = 'GET') => {
        const response = await fetch(`${app.baseUrl}${path}`, { method, signal: AbortSignal.timeout(5000) });
        await response.arrayBuffer();
        return response.status;
      };
      expect(await send('/orders/1')).toBe(200);
      expect(await send('/orders/2')).toBe(200);
      expect(await send('/orders/3?x=y')).toBe(200);
      expect(await send('/orders')).toBe(200);
      expect(await send('/boom')).toBe(500);
      expect(await send('/no/such/1')).toBe(404);
      expect(await send('/no/such/2')).toBe(404);
      await send('/orders/1', 'PROPFIND');
      // Node's parser itself refuses methods outside its list; these two reach the app.
      await send('/orders/1', 'PURGE');
      expect(await send('/healthcheck/')).toBe(200);
      expect(await send('/metrics')).toBe(200);
      // The response is finished before the adapter's hook runs; give it a moment to record.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await store.flush();
      families = await store.read();
    });

    afterAll(async () => {
      await app?.close();
      await store?.close();
      if (redis) {
        await deletePrefix(redis, prefix);
        redis.disconnect();
      }
    });

    it('names a request by its route pattern, so /orders/1 and /orders/2 are one series', () => {
      expect(requests({ url_name: '/orders/:id', method: 'GET', status_code: '200' })).toBe(3);
      const h = 'pretix_view_durations_seconds';
      expect(
        familyValue(families, h, { url_name: '/orders/:id', method: 'GET', status_code: '200' }, `${h}_count`),
      ).toBe(3);
    });

    it('uses the explicit name a route was given', () => {
      expect(requests({ url_name: 'order-list', method: 'GET', status_code: '200' })).toBe(1);
    });

    it('labels failures with their status code', () => {
      expect(requests({ url_name: '/boom', method: 'GET', status_code: '500' })).toBe(1);
    });

    it('puts requests that match no route under one fixed name', () => {
      expect(requests({ url_name: '__unmatched__', method: 'GET', status_code: '404' })).toBe(2);
    });

    it('folds unknown methods into one value', () => {
      const family = families.find((f) => f.name === 'pretix_view_requests_total');
      const methods = new Set(family?.values.map((v) => v.labels.method));
      expect([...methods].sort()).toEqual(['GET', 'other']);
      const other = family?.values.filter((v) => v.labels.method === 'other').reduce((sum, v) => sum + v.value, 0);
      expect(other).toBe(2);
    });

    it('leaves out /healthcheck/ and /metrics, and never records a raw path', () => {
      const names = new Set(
        families.find((f) => f.name === 'pretix_view_requests_total')?.values.map((v) => v.labels.url_name),
      );
      expect([...names].sort()).toEqual(['/boom', '/orders/:id', '__unmatched__', 'order-list']);
    });
  });
}
