import { LRUCache } from 'lru-cache';
import * as z from 'zod/mini';
import type { Cache } from './cache.js';
import { parseOptions } from './options.js';

export interface MemoryCacheOptions {
  /**
   * Entries kept at most; the least recently used goes first.
   * @defaultValue 1000
   */
  maxEntries?: number;
}

const schema = z.object({ maxEntries: z._default(z.int().check(z.positive()), 1000) });

/** A bounded in-process cache with per-entry TTL (lru-cache underneath). */
export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  const { maxEntries } = parseOptions('memory cache options', schema, options);
  const lru = new LRUCache<string, string>({ max: maxEntries });
  return {
    async set(key, value, ttlMs) {
      lru.set(key, value, { ttl: ttlMs });
    },
    async get(key) {
      return lru.get(key);
    },
    async delete(key) {
      lru.delete(key);
    },
  };
}
