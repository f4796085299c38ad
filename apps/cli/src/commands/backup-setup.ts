import { BackupLockUnavailableError } from '@keepwatch/backup';
import { type KeepwatchConfig, redisMode } from '@keepwatch/config';
import { UsageError } from '@keepwatch/runtime/main';
import type { CommandContext } from '../command.js';
import { stringOption } from '../option-values.js';

/**
 * `--source NAME`, checked against the repository's sources (`repository.sources`: `database`
 * exists as a name even while `[database] url` is unset, and `data` is the data directory).
 */
export function sourceOption(
  values: CommandContext['values'],
  fallback: string | undefined,
  sources: readonly string[],
): string | undefined {
  const source = stringOption(values, 'source') ?? fallback;
  if (source === undefined) return undefined;
  if (!sources.includes(source)) {
    throw new UsageError(
      `unknown backup source ${JSON.stringify(source.slice(0, 100))}; sources: ${sources.join(', ')}`,
    );
  }
  return source;
}

const REDIS_WAIT_MS = 5000;

/** Runs a function holding one source's lock; see {@link withSourceLocks}. */
export type SourceLocks = <T>(
  source: string,
  signal: AbortSignal,
  fn: (signal: AbortSignal) => Promise<T>,
) => Promise<T>;

/**
 * Gives `use` the per-source Redis locks the workers use, so a command never overlaps a
 * scheduled backup of the same source, over one Redis connection (checked once) for all the
 * sources it goes through. Without Redis (no [redis] url, sentinels or cluster_nodes) there are
 * no workers to collide with (they need Redis), so every function runs without a lock.
 */
export async function withSourceLocks<T>(
  config: Readonly<KeepwatchConfig>,
  use: (locked: SourceLocks) => Promise<T>,
): Promise<T> {
  if (!redisMode(config)) return use((_source, signal, fn) => fn(signal));
  // ioredis, bullmq and @keepwatch/jobs only here: `backup list` and the other commands that
  // import this file take no lock.
  const { backupLockFromConfig, createRedisClient, waitForRedis } = await import('@keepwatch/runtime');
  const redis = createRedisClient(config.redis, 'fast-fail');
  try {
    if (!(await waitForRedis(redis, REDIS_WAIT_MS))) {
      throw new BackupLockUnavailableError(
        `cannot reach Redis ([redis] url) within ${REDIS_WAIT_MS} ms to take the backup lock`,
      );
    }
    const lock = backupLockFromConfig(config, redis);
    return await use((source, signal, fn) => lock.run(source, fn, { signal }));
  } finally {
    redis.disconnect();
  }
}

/** Runs `fn` holding one source's lock (see {@link withSourceLocks}). */
export function withSourceLock<T>(
  config: Readonly<KeepwatchConfig>,
  source: string,
  signal: AbortSignal,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  return withSourceLocks(config, (locked) => locked(source, signal, fn));
}
