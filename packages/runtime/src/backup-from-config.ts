import {
  createSourceLock,
  databaseSource,
  localDestination,
  type BackupOptions,
  type BackupSource,
  type DatabaseToolOptions,
  type Destination,
  type SourceLock,
} from '@keepwatch/backup';
import type { KeepwatchConfig } from '@keepwatch/config';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** The backup sources the config names, by source name: `database` when `[database] url` is set. */
export interface ConfiguredBackupSources {
  database?: BackupSource;
}

/**
 * How long a lock outlives a process that died holding it. Renewed every third of it, so a
 * worker that is merely busy keeps it; a killed one frees the source within this time.
 */
const LOCK_TTL_MS = 30_000;

/** Connection time-out for the dump and restore tools (`[backup] connect_timeout`); tools are found on PATH. */
export function backupToolOptionsFromConfig(config: Readonly<KeepwatchConfig>): DatabaseToolOptions {
  return { connectTimeoutMs: config.backup.connect_timeout };
}

export function backupSourcesFromConfig(config: Readonly<KeepwatchConfig>): ConfiguredBackupSources {
  const url = config.database.url;
  return url ? { database: databaseSource({ name: 'database', url, ...backupToolOptionsFromConfig(config) }) } : {};
}

/** `[backup] destination`, refused when it lies inside `[data] dir`. */
export function backupDestinationFromConfig(config: Readonly<KeepwatchConfig>, logger?: Logger): Destination {
  return localDestination({
    directory: config.backup.destination,
    dataDirectory: config.data.dir,
    ...(logger ? { logger } : {}),
  });
}

export function backupOptionsFromConfig(config: Readonly<KeepwatchConfig>): BackupOptions {
  return {
    compression: config.backup.compression,
    zstdLevel: config.backup.zstd_level,
    encryptTo: config.backup.encrypt_to ?? [],
  };
}

/**
 * The per-source lock every worker and `keepwatch backup run` share, under `[redis] prefix`.
 * `waitMs` is `[backup] lock_wait`, so a caller that passes none waits as configured.
 */
export function backupLockFromConfig(config: Readonly<KeepwatchConfig>, redis: Redis): SourceLock {
  return createSourceLock({
    redis,
    prefix: config.redis.prefix,
    ttlMs: LOCK_TTL_MS,
    waitMs: config.backup.lock_wait,
  });
}
