import { join } from 'node:path';
import { BackupIdError, BackupOptionsError, parseBackupId } from '@keepwatch/backup';
import type { KeepwatchConfig } from '@keepwatch/config';
import { KeepwatchError } from '@keepwatch/errors';
import {
  UsageError,
  backupDestinationFromConfig,
  backupLockFromConfig,
  backupSourcesFromConfig,
  createRedisClient,
  dataSnapshotDirFromConfig,
  waitForRedis,
} from '@keepwatch/runtime';
import type { CommandContext } from '../command.js';

/**
 * Runs a backup command's body and turns the package's "you asked for something impossible"
 * errors (a bad option, a malformed id, an unusable `--target`) into exit code 2. Every other
 * failure stays an error: exit 1 with its message.
 */
export async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof BackupOptionsError || error instanceof BackupIdError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The sources a command may name; `database` exists as a name even while `[database] url` is
 * unset. `data` is the data directory (incremental snapshots).
 */
export const knownSources = ['database', 'data'] as const;

/** `--source NAME`, checked against the sources keepwatch knows. */
export function sourceOption(values: CommandContext['values'], fallback: string | undefined): string | undefined {
  const source = typeof values.source === 'string' ? values.source : fallback;
  if (source === undefined) return undefined;
  if (!(knownSources as readonly string[]).includes(source)) {
    throw new UsageError(`unknown backup source ${JSON.stringify(source.slice(0, 100))}; sources: ${knownSources.join(', ')}`);
  }
  return source;
}

/** The one positional argument a command takes (the backup id), or a usage error naming it. */
export function onePositional(context: CommandContext, name: string): string {
  const [value, ...rest] = context.positionals;
  if (value === undefined) throw new UsageError(`missing <${name}>`);
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0]!.slice(0, 100))}`);
  return value;
}

export function noPositionals(context: CommandContext): void {
  if (context.positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(context.positionals[0]!.slice(0, 100))}`);
  }
}

export function stringOption(values: CommandContext['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The destination and sources of `[backup]` and `[database]`; the destination is read-only until a backup runs. */
export function backupSetup(config: Readonly<KeepwatchConfig>) {
  return { destination: backupDestinationFromConfig(config), sources: backupSourcesFromConfig(config) };
}

/** A message on stderr in the entry point's form, for failures the command reports itself. */
export function fail(context: CommandContext, message: string): number {
  context.stderr.write(`keepwatch: ${message}\n`);
  return 1;
}

/** Aborted on Ctrl-C or SIGTERM, so the tools stop and the temporary file is removed. */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = (name: NodeJS.Signals) => controller.abort(new Error(`interrupted by ${name}`));
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
    },
  };
}

/** The snapshot directory of a data backup id (`data-…`), or undefined for any other backup. */
export function dataSnapshotPath(config: Readonly<KeepwatchConfig>, id: string): string | undefined {
  return parseBackupId(id).source === 'data' ? join(dataSnapshotDirFromConfig(config), id) : undefined;
}

const REDIS_WAIT_MS = 5000;

/**
 * Runs `fn` holding the per-source Redis lock the workers use, so a command never overlaps a
 * scheduled backup of the same source. Without [redis] url there are no workers to collide with
 * (they need Redis), so `fn` runs without a lock.
 */
export async function withSourceLock<T>(
  config: Readonly<KeepwatchConfig>,
  source: string,
  signal: AbortSignal,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (!config.redis.url) return fn(signal);
  const redis = createRedisClient(config.redis.url, 'fast-fail');
  try {
    if (!(await waitForRedis(redis, REDIS_WAIT_MS))) {
      throw new LockUnavailableError(`cannot reach Redis ([redis] url) within ${REDIS_WAIT_MS} ms to take the lock of source "${source}"`);
    }
    return await backupLockFromConfig(config, redis).run(source, fn, { signal });
  } finally {
    redis.disconnect();
  }
}

/** Redis could not be reached for the lock: running without it could overlap a worker's backup. */
export class LockUnavailableError extends KeepwatchError<'KW_BACKUP_LOCK_UNAVAILABLE'> {
  static readonly code = 'KW_BACKUP_LOCK_UNAVAILABLE';
  constructor(message: string) {
    super(LockUnavailableError.code, message);
  }
}
