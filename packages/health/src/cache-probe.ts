import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { raceAbort } from './abort.js';
import type { Cache } from './cache.js';
import { ProbeFailedError } from './errors.js';
import { parseOptions } from './options.js';
import type { Probe } from './probe.js';

export interface CacheProbeOptions {
  cache: Cache;
  /** @defaultValue 'cache' */
  name?: string;
  /**
   * Lifetime of the probe's entry, should the probe be cut off before it deletes it.
   * @defaultValue 10000
   */
  ttlMs?: number;
  /** @defaultValue the checker's `timeoutMs` */
  timeoutMs?: number;
}

const schema = z.object({
  cache: z.custom<Cache>(
    (v: unknown) =>
      typeof v === 'object' &&
      v !== null &&
      ['set', 'get', 'delete'].every((method) => typeof (v as Record<string, unknown>)[method] === 'function'),
    'must be a Cache (set, get, delete)',
  ),
  name: z._default(z.string().check(z.minLength(1)), 'cache'),
  ttlMs: z._default(z.int().check(z.positive()), 10_000),
  timeoutMs: z.optional(z.int().check(z.positive())),
});

/** Checks a cache by storing a random entry, reading it back and deleting it. */
export function cacheProbe(options: CacheProbeOptions): Probe {
  const { name, ttlMs, timeoutMs } = parseOptions('cache probe options', schema, options);
  const cache = options.cache;
  return {
    name,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    async check(signal) {
      const key = `health:${randomUUID()}`;
      const value = randomUUID();
      await raceAbort(cache.set(key, value, ttlMs), signal);
      const read = await raceAbort(cache.get(key), signal);
      await raceAbort(cache.delete(key), signal);
      if (read !== value) {
        throw new ProbeFailedError(
          name,
          read === undefined ? `entry "${key}" was not found after set` : `read back a different value for "${key}"`,
        );
      }
    },
  };
}
