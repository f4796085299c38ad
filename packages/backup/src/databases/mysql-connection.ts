import type mysql from 'mysql2/promise';
import type { DatabaseUrl } from '@keepwatch/conventions';
import { BackupAuthError, BackupConnectionError, BackupToolMissingError } from '../errors.js';
import type { TableCount } from '../catalog/manifest.js';
import { redact, toolVersion, type ToolEnvironment, type ToolSpec } from '../pipeline/tool-process.js';

export type MysqlConnection = mysql.Connection;

const AUTH_CODES = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_NOT_SUPPORTED_AUTH_MODE']);
const PERMANENT_CODES = new Set(['ER_BAD_DB_ERROR']);

/** Connects to `settings.database`, or to no database when `withoutDatabase` (to create one). */
export async function connectMysql(
  settings: DatabaseUrl,
  timeoutMs: number,
  withoutDatabase = false,
): Promise<MysqlConnection> {
  // Loaded on first use, like pg: only the driver of the configured database is ever loaded.
  const { default: driver } = await import('mysql2/promise');
  try {
    return await driver.createConnection({
      host: settings.host,
      port: settings.port,
      user: settings.user,
      password: settings.password ?? '',
      database: withoutDatabase ? undefined : settings.database,
      connectTimeout: timeoutMs,
      charset: 'utf8mb4',
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
  } catch (error) {
    throw mysqlConnectError(settings, error);
  }
}

export function mysqlConnectError(settings: DatabaseUrl, error: unknown): Error {
  const code = (error as { code?: string }).code ?? '';
  const detail = redact(error instanceof Error ? error.message : String(error), [settings.password]) || code;
  if (AUTH_CODES.has(code)) return new BackupAuthError(settings.label, detail, error);
  return new BackupConnectionError(settings.label, detail, !PERMANENT_CODES.has(code), error);
}

export function isPermanentMysqlFailure(stderr: string): boolean {
  return /Access denied|Unknown database|\b(1044|1045|1049)\b/.test(stderr);
}

export function quoteMysqlIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/**
 * How a MySQL tool (mariadb-dump, mariadb, mysqldump, mysql) connects: host, port and user as
 * arguments (none is secret), the password as MYSQL_PWD. Never a file: a `--defaults-extra-file`
 * outlives a `kill -9` of the process that wrote it, and the socket pairs Node gives a child are
 * no file a tool could open instead. MariaDB's clients read MYSQL_PWD (and call it insecure for
 * the same reason as PGPASSWORD: see postgresToolEnv; on Linux only the same user can read it);
 * Oracle's have deprecated it since 8.0 but still read it. `--no-defaults` (first, or it is
 * ignored) because an option file's password would win over MYSQL_PWD; keepwatch's own driver
 * connection reads no option file either, so the tool connects exactly as it did.
 */
export function mysqlToolConnection(settings: DatabaseUrl): { args: string[]; env: Record<string, string> } {
  return {
    args: ['--no-defaults', `--host=${settings.host}`, `--port=${settings.port}`, `--user=${settings.user}`],
    env: settings.password === undefined ? {} : { MYSQL_PWD: settings.password },
  };
}

/** The first of `candidates` that runs (`--version`), or the one the user named. */
export async function resolveMysqlTool(
  explicit: string | undefined,
  candidates: string[],
  option: string,
  env: ToolEnvironment,
): Promise<{ tool: ToolSpec; version: string }> {
  const paths = explicit ? [explicit] : candidates;
  for (const path of paths) {
    const tool: ToolSpec = { name: path.split('/').pop()!, path, option };
    try {
      return { tool, version: await toolVersion(tool, env) };
    } catch (error) {
      if (!(error instanceof BackupToolMissingError)) throw error;
    }
  }
  throw new BackupToolMissingError(candidates.join(' or '), paths.join('" or "'), option);
}

/** Base tables with exact row counts. MySQL has one schema per database, so `schema` is empty. */
export async function mysqlTableCounts(connection: MysqlConnection): Promise<TableCount[]> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'`,
  );
  const names = rows.map((row) => String(row.name)).sort();
  const counts: TableCount[] = [];
  for (const name of names) {
    const [result] = await connection.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM ${quoteMysqlIdentifier(name)}`,
    );
    counts.push({ schema: '', name, rows: Number(result[0]!.n) });
  }
  return counts;
}

export async function mysqlIsEmpty(connection: MysqlConnection): Promise<boolean> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(`
    SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE())
         + (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE())
         + (SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()) AS n`);
  return Number(rows[0]!.n) === 0;
}
