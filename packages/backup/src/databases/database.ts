import { connectionSettings } from './connection-url.js';
import { mysqlSource } from './mysql-dump-source.js';
import { createMysqlScratch, mysqlTarget } from './mysql-restore-target.js';
import type { DatabaseSourceOptions, DatabaseTargetOptions } from '../options.js';
import { postgresSource } from './pg-dump-source.js';
import { createPostgresScratch, postgresTarget } from './pg-restore-target.js';
import type { RestoreTarget, ScratchTarget } from './restore-target.js';
import type { BackupSource } from './source.js';

/** The source for `[database] url`: PostgreSQL or MySQL/MariaDB, by the URL's scheme. */
export function databaseSource(options: DatabaseSourceOptions): BackupSource {
  return connectionSettings(options.url).kind === 'postgres' ? postgresSource(options) : mysqlSource(options);
}

/** The database named by `--target <url>`. */
export function databaseTarget(options: DatabaseTargetOptions): RestoreTarget {
  return connectionSettings(options.url).kind === 'postgres' ? postgresTarget(options) : mysqlTarget(options);
}

/** A fresh `kw_verify_<random>` database on the server of `options.url`, for restore tests. */
export function createScratchDatabase(options: DatabaseTargetOptions): Promise<ScratchTarget> {
  return connectionSettings(options.url).kind === 'postgres'
    ? createPostgresScratch(options)
    : createMysqlScratch(options);
}
