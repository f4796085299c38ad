/**
 * The smallest cache contract the service's cache layer can be checked through; the package's
 * in-memory and Redis caches implement it, and an app can wrap its own.
 */
export interface Cache {
  /** Stores `value` under `key` for `ttlMs` milliseconds. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** The value, or `undefined` when missing or expired. */
  get(key: string): Promise<string | undefined>;
  delete(key: string): Promise<void>;
}
