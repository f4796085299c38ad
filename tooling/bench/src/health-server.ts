/**
 * The server side of the health benchmark, one process per variant (forked by health.ts):
 *   bare    — Fastify with a `/healthcheck/` route that answers an empty 200
 *   health  — Fastify with @keepwatch/health's plugin: postgres + redis probes, cacheMs 0
 * Sends `{ port }` over IPC once listening.
 */
import { createHealthChecker, postgresProbe, redisProbe } from '@keepwatch/health';
import { fastifyHealth } from '@keepwatch/health/fastify';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';

const [mode, database, sequence, redisPrefix] = process.argv.slice(2);

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  const closers: Array<() => Promise<unknown>> = [];
  if (mode === 'bare') {
    app.get('/healthcheck/', async (_request, reply) => reply.code(200).header('cache-control', 'no-store').send());
  } else if (mode === 'health') {
    const pool = new pg.Pool({
      host: '127.0.0.1',
      port: 5432,
      user: 'postgres',
      database,
      max: 4,
      connectionTimeoutMillis: 2000,
    });
    pool.on('error', () => undefined);
    const redis = new Redis({
      host: '127.0.0.1',
      port: 6379,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
    });
    redis.on('error', () => undefined);
    await new Promise((resolve) => redis.once('ready', resolve));
    const checker = createHealthChecker({
      probes: [
        postgresProbe({ pool, query: `SELECT nextval('${sequence}')` }),
        redisProbe({ client: redis, keyPrefix: redisPrefix }),
      ],
      cacheMs: 0,
    });
    await app.register(fastifyHealth, { checker });
    closers.push(
      () => pool.end(),
      async () => redis.disconnect(),
    );
  } else {
    throw new Error(`unknown mode "${mode}"`);
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.send?.({ port: (app.server.address() as { port: number }).port });
  process.on('disconnect', () => {
    void app
      .close()
      .then(() => Promise.allSettled(closers.map((close) => close())))
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`health-server ${mode}: ${String(error)}\n`);
  process.exit(1);
});
