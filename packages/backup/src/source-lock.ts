import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { BackupBusyError, BackupLockLostError, BackupOptionsError } from './errors.js';
import { zodProblems } from './zod-problems.js';

export interface SourceLockOptions {
  /** A ready ioredis client (standalone, Sentinel or Cluster). */
  redis: Redis;
  /** Start of the lock keys: `<prefix>backup:lock:<source>`. @defaultValue 'keepwatch:' */
  prefix?: string;
  /** How long a lock outlives a holder that died without releasing it. @defaultValue 30000 */
  ttlMs?: number;
  /** How long `acquire` waits for a busy source before giving up. @defaultValue 0 */
  waitMs?: number;
  /** Time between two tries while waiting. @defaultValue 500 */
  retryIntervalMs?: number;
}

export interface HeldSourceLock {
  readonly source: string;
  /** Aborted (with `BackupLockLostError`) if the lock is lost, so the backup stops. */
  readonly signal: AbortSignal;
  release(): Promise<void>;
}

/** One backup per source at a time, across every worker and CLI that shares the Redis. */
export interface SourceLock {
  acquire(source: string, options?: { waitMs?: number; signal?: AbortSignal }): Promise<HeldSourceLock>;
  /** Runs `fn` holding the lock of `source`; `fn` gets a signal that fires if the lock is lost. */
  run<T>(
    source: string,
    fn: (signal: AbortSignal) => Promise<T>,
    options?: { waitMs?: number; signal?: AbortSignal },
  ): Promise<T>;
}

const optionsSchema = z.object({
  redis: z.custom<Redis>(
    (value) => typeof value === 'object' && value !== null && 'eval' in value,
    'must be an ioredis client',
  ),
  prefix: z.string().default('keepwatch:'),
  ttlMs: z.number().int().min(1000).default(30_000),
  waitMs: z.number().int().min(0).default(0),
  retryIntervalMs: z.number().int().min(10).default(500),
});

// Compare-and-act scripts: only the holder's token may extend or delete the key.
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A lease in Redis: `SET NX PX` with a random token, renewed every third of its TTL, released only
 * by its holder. Written here rather than taken from `redlock`: that package's ioredis-5 era
 * release is an unmaintained beta, and the multi-master Redlock algorithm buys nothing with the
 * single Redis (or Sentinel/Cluster master) keepwatch already depends on for BullMQ.
 */
export function createSourceLock(options: SourceLockOptions): SourceLock {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new BackupOptionsError('source lock options', zodProblems(parsed.error, 'source lock'));
  const { redis, prefix, ttlMs, retryIntervalMs } = parsed.data;
  const key = (source: string): string => `${prefix}backup:lock:${source}`;

  const acquire: SourceLock['acquire'] = async (source, acquireOptions = {}) => {
    const waitMs = acquireOptions.waitMs ?? parsed.data.waitMs;
    const token = randomUUID();
    const started = Date.now();
    for (;;) {
      acquireOptions.signal?.throwIfAborted();
      const ok = await redis.set(key(source), token, 'PX', ttlMs, 'NX');
      if (ok === 'OK') break;
      if (Date.now() - started + retryIntervalMs > waitMs) throw new BackupBusyError(source, Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, retryIntervalMs));
    }
    const controller = new AbortController();
    let lastRenewed = Date.now();
    const timer = setInterval(
      () => {
        redis
          .eval(EXTEND, 1, key(source), token, String(ttlMs))
          .then((result) => {
            if (Number(result) === 1) lastRenewed = Date.now();
            else lost();
          })
          .catch((error: unknown) => {
            // Redis may come back in time; the lease is only gone once its TTL has run out.
            if (Date.now() - lastRenewed >= ttlMs) lost(error);
          });
      },
      Math.max(100, Math.floor(ttlMs / 3)),
    );
    timer.unref();
    const lost = (cause?: unknown): void => {
      clearInterval(timer);
      if (!controller.signal.aborted) controller.abort(new BackupLockLostError(source, cause));
    };
    return {
      source,
      signal: controller.signal,
      async release() {
        clearInterval(timer);
        await redis.eval(RELEASE, 1, key(source), token).catch(() => {});
      },
    };
  };

  return {
    acquire,
    async run(source, fn, runOptions) {
      const held = await acquire(source, runOptions);
      try {
        const signal = runOptions?.signal ? AbortSignal.any([held.signal, runOptions.signal]) : held.signal;
        return await fn(signal);
      } finally {
        await held.release();
      }
    },
  };
}
