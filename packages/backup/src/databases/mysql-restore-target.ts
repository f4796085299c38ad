import { randomBytes } from 'node:crypto';
import type mysql from 'mysql2/promise';
import { type DatabaseUrl, withDatabase } from '@keepwatch/conventions';
import { connectionSettings } from './connection-url.js';
import { BackupScratchPrivilegeError } from '../errors.js';
import {
  connectMysql,
  isPermanentMysqlFailure,
  mysqlIsEmpty,
  mysqlTableCounts,
  mysqlToolConnection,
  quoteMysqlIdentifier,
  resolveMysqlTool,
  type MysqlConnection,
} from './mysql-connection.js';
import { resolveDatabaseOptions, type DatabaseTargetOptions, type ResolvedDatabaseOptions } from '../options.js';
import type { RestoreSink, RestoreTarget, ScratchTarget } from './restore-target.js';
import { spawnTool } from '../pipeline/tool-process.js';

/**
 * A MySQL/MariaDB database that the `mariadb` (or `mysql`) client replays a dump into. Unlike
 * pg_restore this is not one transaction: a failed restore can leave part of the dump applied.
 */
export function mysqlTarget(options: DatabaseTargetOptions): RestoreTarget {
  const resolved = resolveDatabaseOptions(options);
  return makeTarget(resolved, connectionSettings(resolved.url));
}

function makeTarget(resolved: ResolvedDatabaseOptions, settings: DatabaseUrl): RestoreTarget {
  const withConnection = async <T>(fn: (c: MysqlConnection) => Promise<T>, withoutDatabase = false): Promise<T> => {
    const connection = await connectMysql(settings, resolved.connectTimeoutMs, withoutDatabase);
    try {
      return await fn(connection);
    } finally {
      await connection.end().catch(() => {});
    }
  };
  return {
    kind: 'mysql',
    label: settings.label,
    isEmpty: () => withConnection(mysqlIsEmpty),
    tableCounts: () => withConnection(mysqlTableCounts),

    async begin({ clean }): Promise<RestoreSink> {
      const { tool } = await resolveMysqlTool(resolved.mysqlPath, ['mariadb', 'mysql'], 'mysqlPath', resolved.env);
      if (clean) {
        // A dump only drops what it creates; recreating the database (same character set and
        // collation) also removes views, routines and events that the backup does not have.
        await withConnection(async (c) => {
          const [rows] = await c.query<mysql.RowDataPacket[]>(
            'SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
            [settings.database],
          );
          const db = quoteMysqlIdentifier(settings.database);
          const cs = rows[0] ? ` CHARACTER SET ${String(rows[0].cs)} COLLATE ${String(rows[0].co)}` : '';
          await c.query(`DROP DATABASE IF EXISTS ${db}`);
          await c.query(`CREATE DATABASE ${db}${cs}`);
        }, true);
      }
      const connect = mysqlToolConnection(settings);
      const proc = spawnTool(
        tool,
        [
          ...connect.args,
          '--batch',
          '--binary-mode',
          '--default-character-set=utf8mb4',
          '--max-allowed-packet=1G',
          settings.database,
        ],
        {
          env: resolved.env,
          extraEnv: connect.env,
          stdin: 'pipe',
          stdout: 'ignore',
          secrets: [settings.password],
          isPermanent: isPermanentMysqlFailure,
        },
      );
      return { stream: proc.stdin!, finished: proc.exited, abort: () => proc.kill() };
    },
  };
}

/** Creates `kw_verify_<random>` (utf8mb4) on the server of `options.url`; `drop()` removes it. */
export async function createMysqlScratch(options: DatabaseTargetOptions): Promise<ScratchTarget> {
  const resolved = resolveDatabaseOptions(options);
  const admin = connectionSettings(resolved.url);
  const name = `kw_verify_${randomBytes(5).toString('hex')}`;
  const run = async (sql: string): Promise<void> => {
    const connection = await connectMysql(admin, resolved.connectTimeoutMs, true);
    try {
      await connection.query(sql);
    } finally {
      await connection.end().catch(() => {});
    }
  };
  const connection = await connectMysql(admin, resolved.connectTimeoutMs, true);
  try {
    await connection.query(`CREATE DATABASE ${quoteMysqlIdentifier(name)} CHARACTER SET utf8mb4`);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ER_DBACCESS_DENIED_ERROR') throw error;
    // The account as the server matched it ('app'@'%'), for a grant that applies as written.
    const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT CURRENT_USER() AS account');
    const account = String(rows[0]!.account);
    const at = account.lastIndexOf('@');
    const quoted = `${connection.escape(account.slice(0, at))}@${connection.escape(account.slice(at + 1))}`;
    // ALL, not only CREATE: the restore creates tables, views, routines and triggers in it and
    // drops it after. The pattern grants exactly the scratch databases (`\_` is a literal `_`).
    throw new BackupScratchPrivilegeError(
      admin.label,
      'CREATE',
      quoted,
      `GRANT ALL PRIVILEGES ON \`kw\\_verify\\_%\`.* TO ${quoted};`,
      error,
    );
  } finally {
    await connection.end().catch(() => {});
  }
  let dropped = false;
  return {
    ...makeTarget(resolved, withDatabase(admin, name)),
    async drop() {
      if (dropped) return;
      dropped = true;
      await run(`DROP DATABASE IF EXISTS ${quoteMysqlIdentifier(name)}`);
    },
  };
}
