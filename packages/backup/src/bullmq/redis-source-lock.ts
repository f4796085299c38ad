import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import * as z from 'zod/mini';
import { BackupBusyError, BackupLockLostError, BackupLockUnavailableError, BackupOptionsError } from '../errors.js';
import type { SourceLock } from '../source-lock.js';
import { english, zodProblems } from '../zod-problems.js';

export interface SourceLockOptions {
  /** A ready ioredis client: one Redis, a Sentinel master, or a Cluster. */
  redis: Redis | Cluster;
  /** Start of the lock keys: `<prefix>backup:lock:<source>`. @defaultValue 'keepwatch:' */
  prefix?: string;
  /** How long a lock outlives a holder that died without releasing it. @defaultValue 30000 */
  ttlMs?: number;
  /** How long `acquire` waits for a busy source before giving up. @defaultValue 0 */
  waitMs?: number;
  /** Time between two tries while waiting. @defaultValue 500 */
  retryIntervalMs?: number;
  /**
   * How long a take or a renewal waits for a replica of the lock's master to confirm it (Redis
   * `WAIT`), when the master has replicas. @defaultValue 1000
   */
  replicaWaitMs?: number;
}

const optionsSchema = z.object({
  redis: z.custom<Redis | Cluster>(
    (value) => typeof value === 'object' && value !== null && 'eval' in value,
    'must be an ioredis client',
  ),
  prefix: z._default(z.string(), 'keepwatch:'),
  ttlMs: z._default(z.int().check(z.minimum(1000)), 30_000),
  waitMs: z._default(z.int().check(z.minimum(0)), 0),
  retryIntervalMs: z._default(z.int().check(z.minimum(10)), 500),
  replicaWaitMs: z._default(z.int().check(z.minimum(1)), 1000),
});

// Compare-and-act scripts: only the holder's token may extend or delete the key.
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A lease in Redis: `SET NX PX` with a random token, renewed every third of its TTL, released only
 * by its holder. Written here rather than taken from `redlock`: that package's ioredis-5 era
 * release is an unmaintained beta, and the multi-master Redlock algorithm buys nothing with the
 * single Redis (or Sentinel/Cluster master) keepwatch already depends on for BullMQ.
 *
 * Across a failover (Sentinel, or a Cluster master with replicas): Redis replicates
 * asynchronously, so a lease the old master granted but had not yet passed on would not exist on
 * the promoted replica, and a second worker could take it there while the first still runs. So
 * when the master has replicas, a take counts only once one of them has confirmed it (`WAIT`);
 * an unconfirmed take is given back and fails as `BackupLockUnavailableError`. The holder then
 * trusts its lease only up to the TTL after the last renewal a replica confirmed (less a margin
 * for stopping the backup) and aborts by itself when that passes without a newer confirmed
 * renewal: a failover shorter than that keeps the lease (the promoted replica has it, with its
 * expiry), a longer one ends the backup before any other holder can get the key.
 */
export function createSourceLock(options: SourceLockOptions): SourceLock {
  const parsed = optionsSchema.safeParse(options, english);
  if (!parsed.success) throw new BackupOptionsError('source lock options', zodProblems(parsed.error, 'source lock'));
  const { redis, prefix, ttlMs, retryIntervalMs, replicaWaitMs } = parsed.data;
  const key = (source: string): string => `${prefix}backup:lock:${source}`;
  // Time to stop a backup (abort the dump, let its process exit) before another holder could
  // take the key: the holder gives up this long before the lease could run out anywhere.
  const stopMarginMs = Math.floor(ttlMs / 6);

  /**
   * Resolves true once a replica has what this connection wrote to the master that holds `lockKey`,
   * or at once when that master has none. ROLE and WAIT carry no key: in one pipeline with a
   * command on the lock key, a Cluster sends them to the lock's master, on the same connection.
   */
  const replicated = async (lockKey: string): Promise<boolean> => {
    const [roleError, role] = (await redis.pipeline().pttl(lockKey).role().exec())?.[1] ?? [null, undefined];
    if (roleError) throw roleError;
    const replicas = Array.isArray(role) && Array.isArray(role[2]) ? role[2].length : 0;
    if (replicas === 0) return true;
    const [waitError, acknowledged] = (await redis.pipeline().pttl(lockKey).wait(1, replicaWaitMs).exec())?.[1] ?? [
      null,
      0,
    ];
    if (waitError) throw waitError;
    return Number(acknowledged) >= 1;
  };

  const acquire: SourceLock['acquire'] = async (source, acquireOptions = {}) => {
    const waitMs = acquireOptions.waitMs ?? parsed.data.waitMs;
    const token = randomUUID();
    const started = Date.now();
    let takenAt: number;
    for (;;) {
      acquireOptions.signal?.throwIfAborted();
      takenAt = Date.now();
      const ok = await redis.set(key(source), token, 'PX', ttlMs, 'NX');
      if (ok === 'OK') break;
      if (Date.now() - started + retryIntervalMs > waitMs) throw new BackupBusyError(source, Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, retryIntervalMs));
    }
    const confirmed = await replicated(key(source)).catch((error: unknown) => error);
    if (confirmed !== true) {
      await redis.eval(RELEASE, 1, key(source), token).catch(() => {});
      throw new BackupLockUnavailableError(
        `no replica confirmed the lock of source "${source}" within ${replicaWaitMs} ms; a failover could hand it ` +
          'to a second backup, so this one does not start',
        confirmed === false ? undefined : confirmed,
      );
    }

    const controller = new AbortController();
    const lost = (cause?: unknown): void => {
      clearInterval(timer);
      clearTimeout(deadline);
      if (!controller.signal.aborted) controller.abort(new BackupLockLostError(source, cause));
    };
    // The lease is certain until the TTL after the last take or renewal a replica (or the only
    // master) confirmed, counted from when it was sent: Redis started the TTL later than that.
    let deadline: NodeJS.Timeout;
    const trustUntil = (sentAt: number): void => {
      clearTimeout(deadline);
      deadline = setTimeout(
        () => lost(new Error(`not renewed within ${ttlMs - stopMarginMs} ms`)),
        Math.max(0, sentAt + ttlMs - stopMarginMs - Date.now()),
      );
      deadline.unref();
    };
    trustUntil(takenAt);
    const timer = setInterval(
      () => {
        const sentAt = Date.now();
        redis
          .eval(EXTEND, 1, key(source), token, String(ttlMs))
          .then(async (result) => {
            if (Number(result) !== 1) return lost();
            // An unconfirmed renewal changes nothing: the deadline stays where it was.
            if (await replicated(key(source))) trustUntil(sentAt);
          })
          // Redis may come back (or fail over) in time; the deadline says when it is too late.
          .catch(() => undefined);
      },
      Math.max(100, Math.floor(ttlMs / 3)),
    );
    timer.unref();
    return {
      source,
      signal: controller.signal,
      async release() {
        clearInterval(timer);
        clearTimeout(deadline);
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
