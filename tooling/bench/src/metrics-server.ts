/**
 * One server of the metrics benchmark, run as a child process of its own (a fresh one per
 * round). Modes: `bare` (Fastify alone), `bare-redis` (Fastify and an ioredis client writing
 * about what keepwatch's flusher writes, once a second, and nothing else of keepwatch),
 * `keepwatch` (the keepwatch plugin, flushing every second), `keepwatch-immediate` (flush
 * interval 0: every observation written to Redis at once) and `fastify-metrics` (prom-client in
 * this one process). Sends `{ port }` to the parent once listening; answers `recorded` with the
 * request count keepwatch has in Redis for the route, and `close` by closing and removing its
 * Redis keys.
 */
import Fastify from 'fastify';
import fastifyMetricsModule from 'fastify-metrics';
import { Redis } from 'ioredis';
import { type MetricsStore, createMetricsStore } from '@keepwatch/metrics';
import { fastifyMetrics } from '@keepwatch/metrics/fastify';

// fastify-metrics is CommonJS with `exports.default`; an ESM default import sees the whole exports.
const fastifyMetricsPlugin = fastifyMetricsModule.default;

const [mode = 'bare', keyPrefix = 'bench:metrics:'] = process.argv.slice(2);

// A small but not empty route: parameters, a computed body, JSON serialisation.
function item(id: string) {
  let checksum = 0;
  for (let i = 0; i < 200; i++) checksum = (checksum * 31 + id.charCodeAt(i % id.length)) % 1_000_003;
  return { id, checksum, tags: ['a', 'b', 'c'], updatedAt: '2025-03-14T10:15:02.123Z' };
}

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  let redis: Redis | undefined;
  let store: MetricsStore | undefined;
  if (mode === 'keepwatch' || mode === 'keepwatch-immediate') {
    redis = new Redis({ host: '127.0.0.1', port: 6379 });
    store = createMetricsStore({ redis, keyPrefix, flushIntervalMs: mode === 'keepwatch' ? 1000 : 0 });
    await app.register(fastifyMetrics, { recorder: store });
  } else if (mode === 'bare-redis') {
    redis = new Redis({ host: '127.0.0.1', port: 6379 });
    const client = redis;
    // About the flusher's write for this route (its counters, buckets and sum, and a claim key),
    // as a MULTI rather than its script: under keepwatch's prefix so that close removes it.
    const key = `{${keyPrefix}metrics}:bench-redis-client`;
    setInterval(() => {
      const multi = client.multi().set(`${key}:claim`, '1', 'PX', 60_000);
      for (let field = 0; field < 18; field++) multi.hincrby(key, `field-${field}`, 1);
      void multi.exec().catch(() => undefined);
    }, 1000).unref();
  } else if (mode === 'fastify-metrics') {
    await app.register(fastifyMetricsPlugin, { endpoint: '/metrics' });
  }
  app.get('/items/:id', async (request) => item((request.params as { id: string }).id));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  process.on('message', async (message) => {
    if (message === 'recorded') {
      await store?.flush();
      const families = (await store?.read()) ?? [];
      const requests = families.find((f) => f.name === 'pretix_view_requests_total');
      process.send?.({ recorded: requests?.values.reduce((sum, v) => sum + v.value, 0) ?? null });
    } else if (message === 'close') {
      await app.close();
      await store?.close();
      if (redis) {
        // The store's keys ({<prefix>metrics:<namespace>}:…) and the Redis-client kind's.
        const keys = await redis.keys(`{${keyPrefix}metrics*`);
        if (keys.length > 0) await redis.del(...keys);
        redis.disconnect();
      }
      process.disconnect();
    }
  });
  process.send?.({ port });
}

void main();
