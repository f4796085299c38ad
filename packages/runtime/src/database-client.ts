import { type DatabaseKind, type DatabaseUrl, parseDatabaseUrl } from '@keepwatch/conventions';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { DatabaseUrlError } from './errors.js';

export type { DatabaseKind };

export type DatabaseClient =
  | { kind: 'postgres'; pool: pg.Pool; close(): Promise<void> }
  | { kind: 'mysql'; pool: mysql.Pool; close(): Promise<void> };

/**
 * `[database] url` taken apart by the reader config validated it with, so the pools log in where
 * and as whom the backup tools do; a URL it refuses (a config built by hand) is a
 * `DatabaseUrlError` naming what is wrong, never the URL.
 */
function readDatabaseUrl(url: string): DatabaseUrl {
  const reading = parseDatabaseUrl(url);
  if (!reading.ok) throw new DatabaseUrlError(reading.problem);
  return reading.url;
}

export function databaseKind(url: string): DatabaseKind {
  return readDatabaseUrl(url).kind;
}

export interface DatabaseClientOptions {
  /** @defaultValue 5 */
  max?: number;
  /** Connect timeout; a health probe needs an answer well within its own timeout. @defaultValue 2000 */
  connectTimeoutMs?: number;
}

/**
 * A small connection pool for keepwatch's own needs (health checks, model counts): not the
 * application's pool. The URL's password is handed to the driver, never logged.
 */
export function createDatabaseClient(url: string, options: DatabaseClientOptions = {}): DatabaseClient {
  const max = options.max ?? 5;
  const connectTimeoutMs = options.connectTimeoutMs ?? 2000;
  const settings = readDatabaseUrl(url);
  if (settings.kind === 'postgres') {
    const pool = new pg.Pool({
      ...postgresConnection(settings),
      max,
      connectionTimeoutMillis: connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: 'keepwatch',
    });
    // An idle client whose server went away emits 'error' on the pool; without a listener
    // that would crash the process. The next checkout simply opens a new connection.
    pool.on('error', () => undefined);
    return { kind: 'postgres', pool, close: () => pool.end() };
  }
  const pool = mysql.createPool({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password ?? '',
    database: settings.database,
    connectionLimit: max,
    connectTimeout: connectTimeoutMs,
    enableKeepAlive: true,
  });
  pool.on('connection', (connection) => connection.on('error', () => undefined));
  return { kind: 'mysql', pool, close: () => pool.end() };
}

/**
 * node-postgres's connection options: the URL's parts as the backup tools get them, never the
 * URL itself, which node-postgres would read with its own parser (decodeURI for the database
 * name). `sslmode` in libpq's meaning, as `@keepwatch/backup` reads it for its own client (and
 * pg_dump, as PGSSLMODE): `require` encrypts without verifying. Left in a URL, node-postgres would
 * verify the certificate for `require` (so the health check could fail where the backup works)
 * and print a deprecation warning to stderr, outside the JSON log.
 */
export function postgresConnection(
  settings: DatabaseUrl,
): Pick<pg.PoolConfig, 'host' | 'port' | 'user' | 'password' | 'database' | 'ssl'> {
  return {
    host: settings.host,
    port: settings.port,
    user: settings.user,
    database: settings.database,
    ...(settings.password === undefined ? {} : { password: settings.password }),
    ...(settings.sslMode === undefined ? {} : { ssl: sslOption(settings.sslMode) }),
  };
}

function sslOption(mode: NonNullable<DatabaseUrl['sslMode']>): pg.PoolConfig['ssl'] {
  if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
  if (mode === 'require') return { rejectUnauthorized: false };
  return true;
}
