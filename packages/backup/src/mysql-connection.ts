import type mysql from 'mysql2/promise';
import type { ConnectionSettings } from './connection-url.js';
import { BackupAuthError, BackupConnectionError, BackupToolMissingError } from './errors.js';
import type { TableCount } from './manifest.js';
import { writeSecretFile, type SecretFile } from './secret-file.js';
import { redact, toolVersion, type ToolSpec } from './tool-process.js';

export type MysqlConnection = mysql.Connection;

const AUTH_CODES = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_NOT_SUPPORTED_AUTH_MODE']);
const PERMANENT_CODES = new Set(['ER_BAD_DB_ERROR']);

/** Connects to `settings.database`, or to no database when `withoutDatabase` (to create one). */
export async function connectMysql(settings: ConnectionSettings, timeoutMs: number, withoutDatabase = false): Promise<MysqlConnection> {
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

export function mysqlConnectError(settings: ConnectionSettings, error: unknown): Error {
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
 * The client options file every MySQL tool reads first (`--defaults-extra-file`), 0600, so the
 * password is neither an argument nor in the environment (MYSQL_PWD is deprecated for that reason).
 */
export async function mysqlDefaultsFile(settings: ConnectionSettings): Promise<SecretFile> {
  // Option-file values: outer quotes are stripped, backslash escapes \\ \" \n are understood.
  const quote = (value: string): string => `"${value.replace(/[\\"\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!)}"`;
  const lines = ['[client]', `host=${quote(settings.host)}`, `port=${settings.port}`, `user=${quote(settings.user)}`];
  if (settings.password !== undefined) lines.push(`password=${quote(settings.password)}`);
  return writeSecretFile('my.cnf', `${lines.join('\n')}\n`);
}

/** The first of `candidates` that runs (`--version`), or the one the user named. */
export async function resolveMysqlTool(
  explicit: string | undefined,
  candidates: string[],
  option: string,
): Promise<{ tool: ToolSpec; version: string }> {
  const paths = explicit ? [explicit] : candidates;
  for (const path of paths) {
    const tool: ToolSpec = { name: path.split('/').pop()!, path, option };
    try {
      return { tool, version: await toolVersion(tool) };
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
    const [result] = await connection.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${quoteMysqlIdentifier(name)}`);
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
