import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { raceAbort } from './abort.js';
import { ProbeClientNotReadyError, ProbeFailedError } from './errors.js';
import { parseOptions } from './options.js';
import type { Probe } from './probe.js';

/** The part of an ioredis pipeline the probe uses. */
export interface RedisPipelineLike {
  set(key: string, value: string, px: 'PX', milliseconds: number): RedisPipelineLike;
  get(key: string): RedisPipelineLike;
  del(key: string): RedisPipelineLike;
  exec(): Promise<Array<[error: Error | null, result: unknown]> | null>;
}

/** The part of an ioredis `Redis` (or `Cluster`) client the probe uses. */
export interface RedisClientLike {
  readonly status: string;
  pipeline(): RedisPipelineLike;
}

export interface RedisProbeOptions {
  /**
   * The app's ioredis client, created with `enableOfflineQueue: false`, `maxRetriesPerRequest: 1`
   * and a `connectTimeout` near the probe's timeout (see the README), and not `lazyConnect`.
   */
  client: RedisClientLike;
  /**
   * Prefix of the probe's key (`<keyPrefix>health:<uuid>`); after any ioredis `keyPrefix`.
   * @defaultValue 'keepwatch:'
   */
  keyPrefix?: string;
  /**
   * Lifetime of the probe's key, should its DEL never run.
   * @defaultValue 10000
   */
  ttlMs?: number;
  /** @defaultValue 'redis' */
  name?: string;
  /** @defaultValue the checker's `timeoutMs` */
  timeoutMs?: number;
}

const schema = z.object({
  client: z.custom<RedisClientLike>(
    (v) =>
      typeof (v as RedisClientLike | undefined)?.pipeline === 'function' &&
      typeof (v as RedisClientLike).status === 'string',
    'must be an ioredis client',
  ),
  keyPrefix: z._default(z.string(), 'keepwatch:'),
  ttlMs: z._default(z.int().check(z.positive()), 10_000),
  name: z._default(z.string().check(z.minLength(1)), 'redis'),
  timeoutMs: z.optional(z.int().check(z.positive())),
});

/** Checks Redis by writing a short-lived random key and reading it back. */
export function redisProbe(options: RedisProbeOptions): Probe {
  const { keyPrefix, ttlMs, name, timeoutMs } = parseOptions('redis probe options', schema, options);
  const client = options.client;
  return {
    name,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    async check(signal) {
      // Sending while disconnected would queue the commands (ioredis' offline queue), one more
      // set per check for as long as Redis is down; a disconnected client is a failed check.
      if (client.status !== 'ready') throw new ProbeClientNotReadyError(name, client.status);
      const key = `${keyPrefix}health:${randomUUID()}`;
      const value = randomUUID();
      // One round trip: Redis runs a pipeline's commands in order, so GET reads what SET wrote.
      const replies = await raceAbort(client.pipeline().set(key, value, 'PX', ttlMs).get(key).del(key).exec(), signal);
      const failed = replies?.find(([error]) => error !== null)?.[0];
      if (failed) throw failed;
      const read = replies?.[1]?.[1];
      if (read !== value) throw new ProbeFailedError(name, `read back a different value for key "${key}"`);
    },
  };
}
