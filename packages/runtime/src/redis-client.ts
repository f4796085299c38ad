import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { redactUrl } from '@keepwatch/config';

export type RedisRole =
  /** Health probes, metrics, cache: fail fast when Redis is down, never queue forever. */
  | 'fast-fail'
  /** BullMQ queues and workers: BullMQ requires `maxRetriesPerRequest: null` and retries itself. */
  | 'bullmq';

/**
 * An ioredis client with options that suit its role. Connection errors are logged once per
 * outage (not once per reconnect attempt) when a logger is given, and never crash the process.
 */
export function createRedisClient(url: string, role: RedisRole, extra: RedisOptions = {}, logger?: Logger): Redis {
  const common: RedisOptions = {
    connectTimeout: 2000,
    // Reconnect forever with a capped backoff: Redis coming back must heal every process.
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  const byRole: RedisOptions =
    role === 'bullmq'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : // The offline queue stays on so commands sent while connecting wait for the connection;
        // one retry and a command timeout bound how long anything waits when Redis is down.
        { maxRetriesPerRequest: 1, commandTimeout: 2000 };
  const client = new Redis(url, { ...common, ...byRole, ...extra });
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger?.warn({ redis: redactUrl(url), err: { message: error.message } }, 'redis unreachable; retrying');
  });
  client.on('ready', () => {
    if (down) logger?.info({ redis: redactUrl(url) }, 'redis reachable again');
    down = false;
  });
  return client;
}

/**
 * Waits until the client is connected, at most `timeoutMs`; resolves false on time-out. A
 * short-lived command (the CLI) calls this before checking, so a Redis that is merely still
 * connecting is not reported as down.
 */
export function waitForRedis(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.once('ready', onReady);
  });
}
