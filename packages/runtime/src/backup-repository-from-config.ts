import {
  createBackupRepository,
  createScratchDatabase,
  databaseSource,
  dumpKind,
  snapshotKind,
  type BackupLogger,
  type BackupRepository,
  type RemoteDestination,
} from '@keepwatch/backup';
import type { KeepwatchConfig } from '@keepwatch/config';
import {
  backupOptionsFromConfig,
  backupRemoteFromConfig,
  backupToolOptionsFromConfig,
  type ProcessEnvironment,
  retentionPolicyFromConfig,
} from './backup-from-config.js';
import type { Logger } from 'pino';

export interface BackupRepositoryFromConfigOptions {
  /** What the dump, restore and copy tools start from (their PATH): the app passes `process.env`. */
  env: ProcessEnvironment;
  /** Told about the backups, the remote and what retention removes. @defaultValue silent */
  logger?: Logger;
  /**
   * The off-site copy; `null` for none whatever `[backup] remote` says.
   * @defaultValue `backupRemoteFromConfig(config, { env, logger })`
   */
  remote?: RemoteDestination | null;
}

/**
 * The backup repository the config describes, at `[backup] destination`: `database`, a dump of
 * `[database] url` (without one its stored dumps are still listed, verified, restored and pruned,
 * and a run says how to set it), and `data`, incremental snapshots of `[data] dir`;
 * `[backup] keep_*` in `[backup] timezone`, and `[backup] remote` as the off-site copy.
 */
export function backupRepositoryFromConfig(
  config: Readonly<KeepwatchConfig>,
  options: BackupRepositoryFromConfigOptions,
): BackupRepository {
  const { env, logger } = options;
  const remote = options.remote === undefined ? backupRemoteFromConfig(config, { env, logger }) : options.remote;
  const url = config.database.url;
  const tools = backupToolOptionsFromConfig(config, env);
  return createBackupRepository({
    destinationDir: config.backup.destination,
    dataDirectory: config.data.dir,
    kinds: {
      database: dumpKind({
        ...(url
          ? {
              source: databaseSource({ name: 'database', url, ...tools }),
              scratch: () => createScratchDatabase({ url, ...tools }),
            }
          : {}),
        backup: backupOptionsFromConfig(config, env),
        database: tools,
        hint: 'set [database] url (KEEPWATCH_DATABASE_URL)',
      }),
      data: snapshotKind({
        sourceDir: config.data.dir,
        include: config.backup.data_include,
        exclude: config.backup.data_exclude,
      }),
    },
    retention: retentionPolicyFromConfig(config),
    timeZone: config.backup.timezone,
    ...(remote ? { remote } : {}),
    ...(logger ? { logger: logger as BackupLogger } : {}),
  });
}

/**
 * The sources a backup can be run for (`database` with a URL, `data` always): the repository's
 * `runnable`, for the metrics and schedules, which start no tool and copy nothing.
 */
export function runnableBackupSources(config: Readonly<KeepwatchConfig>): readonly string[] {
  return backupRepositoryFromConfig(config, { env: {}, remote: null }).runnable;
}
