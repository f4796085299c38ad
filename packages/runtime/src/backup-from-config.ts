import { join } from 'node:path';
import {
  BackupOptionsError,
  databaseSource,
  localDestination,
  rsyncOverSsh,
  type BackupOptions,
  type BackupSource,
  type DatabaseToolOptions,
  type LocalDestination,
  type RemoteDestination,
  type RetentionPolicy,
  type SourceLock,
} from '@keepwatch/backup';
import { createSourceLock } from '@keepwatch/backup/bullmq';
import type { KeepwatchConfig } from '@keepwatch/config';
import { parseRemote } from '@keepwatch/conventions';
import type { RedisClient } from './redis-client.js';
import type { Logger } from 'pino';

/** The data directory as a backup source: incremental snapshots (`takeSnapshot`), not a dump. */
export interface DataBackupSource {
  readonly kind: 'data';
  readonly name: 'data';
  /** `[data] dir`. */
  readonly sourceDir: string;
  /** `<[backup] destination>/data`, see `dataSnapshotDirFromConfig`. */
  readonly destinationDir: string;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

/**
 * The backup sources the config names, by source name: `database` when `[database] url` is set,
 * and `data` always (`[data] dir` always has a value), so a schedule backs up both.
 */
export interface ConfiguredBackupSources {
  database?: BackupSource;
  data: DataBackupSource;
}

/**
 * How long a lock outlives a process that died holding it. Renewed every third of it, so a
 * worker that is merely busy keeps it; a killed one frees the source within this time.
 */
const LOCK_TTL_MS = 30_000;

/**
 * Connection time-out for the dump and restore tools (`[backup] connect_timeout`), and the
 * environment they start from: this process's, so they are found on its PATH.
 */
export function backupToolOptionsFromConfig(config: Readonly<KeepwatchConfig>): DatabaseToolOptions {
  return { connectTimeoutMs: config.backup.connect_timeout, env: process.env };
}

export function backupSourcesFromConfig(config: Readonly<KeepwatchConfig>): ConfiguredBackupSources {
  const url = config.database.url;
  const data: DataBackupSource = Object.freeze({
    kind: 'data',
    name: 'data',
    sourceDir: config.data.dir,
    destinationDir: dataSnapshotDirFromConfig(config),
    include: config.backup.data_include,
    exclude: config.backup.data_exclude,
  });
  return url
    ? { database: databaseSource({ name: 'database', url, ...backupToolOptionsFromConfig(config) }), data }
    : { data };
}

/**
 * Where data snapshots live: `<[backup] destination>/data/<id>/`. Each kind owns its own folder.
 * Database backups are `<destination>/<source>/<YYYY-MM-DD>/…` and their destination only reads
 * and clears day-named folders of the source it backs up (`database`); snapshot ids
 * (`data-<time>-<random>`) never look like a day, and no database source can be named `data`,
 * so neither side ever lists or deletes the other's files.
 */
export function dataSnapshotDirFromConfig(config: Readonly<KeepwatchConfig>): string {
  return join(config.backup.destination, 'data');
}

/** `[backup] keep_*`: all 0 keeps everything. Applied in `[backup] timezone`. */
export function retentionPolicyFromConfig(config: Readonly<KeepwatchConfig>): RetentionPolicy {
  const { keep_last, keep_daily, keep_weekly, keep_monthly } = config.backup;
  return { keepLast: keep_last, keepDaily: keep_daily, keepWeekly: keep_weekly, keepMonthly: keep_monthly };
}

/** `[backup] remote` as an rsync-over-SSH destination, or undefined when it is unset. */
export function backupRemoteFromConfig(
  config: Readonly<KeepwatchConfig>,
  logger?: Logger,
): RemoteDestination | undefined {
  const { remote } = config.backup;
  if (!remote) return undefined;
  // Loading the config checked the same pattern, so this only fails for a config built by hand.
  const parts = parseRemote(remote);
  if (!parts) throw new BackupOptionsError('[backup] remote', ['must be user@host:/path']);
  return rsyncOverSsh({
    ...parts,
    port: config.backup.remote_port,
    identityFile: config.backup.remote_identity_file ?? '',
    strictHostKeyChecking: config.backup.remote_strict_host_key_checking,
    ...(config.backup.remote_known_hosts_file ? { knownHostsFile: config.backup.remote_known_hosts_file } : {}),
    env: process.env,
    ...(logger ? { logger } : {}),
  });
}

/** `[backup] destination`, refused when it lies inside `[data] dir`. */
export function backupDestinationFromConfig(config: Readonly<KeepwatchConfig>, logger?: Logger): LocalDestination {
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
    env: process.env,
  };
}

/**
 * The per-source lock every worker and `keepwatch backup run` share, under `[redis] prefix`.
 * `waitMs` is `[backup] lock_wait`, so a caller that passes none waits as configured.
 */
export function backupLockFromConfig(config: Readonly<KeepwatchConfig>, redis: RedisClient): SourceLock {
  return createSourceLock({
    redis,
    prefix: config.redis.prefix,
    ttlMs: LOCK_TTL_MS,
    waitMs: config.backup.lock_wait,
  });
}
