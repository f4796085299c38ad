import mysql from 'mysql2/promise';
import pg from 'pg';

export type DatabaseClient =
  | { kind: 'postgres'; pool: pg.Pool; close(): Promise<void> }
  | { kind: 'mysql'; pool: mysql.Pool; close(): Promise<void> };

export type DatabaseKind = DatabaseClient['kind'];

export function databaseKind(url: string): DatabaseKind {
  const scheme = new URL(url).protocol.slice(0, -1);
  return scheme === 'mysql' || scheme === 'mariadb' ? 'mysql' : 'postgres';
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
  if (databaseKind(url) === 'postgres') {
    const pool = new pg.Pool({
      ...postgresConnection(url),
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
  const parsed = new URL(url);
  const pool = mysql.createPool({
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.slice(1)) || undefined,
    connectionLimit: max,
    connectTimeout: connectTimeoutMs,
    enableKeepAlive: true,
  });
  pool.on('connection', (connection) => connection.on('error', () => undefined));
  return { kind: 'mysql', pool, close: () => pool.end() };
}

/**
 * node-postgres's connection options for `url`, with `sslmode` read as `@keepwatch/backup` reads
 * it for its own client (and pg_dump, as PGSSLMODE): libpq's meaning, where `require` encrypts
 * without verifying. Left in the URL, node-postgres would verify the certificate for `require`
 * (so the health check could fail where the backup works) and print a deprecation warning to
 * stderr, outside the JSON log. The config admits no other parameter.
 */
export function postgresConnection(url: string): Pick<pg.PoolConfig, 'connectionString' | 'ssl'> {
  const parsed = new URL(url);
  const mode = parsed.searchParams.get('sslmode');
  if (mode === null) return { connectionString: url };
  parsed.searchParams.delete('sslmode');
  return { connectionString: parsed.toString(), ssl: sslOption(mode) };
}

function sslOption(mode: string): pg.PoolConfig['ssl'] {
  if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
  if (mode === 'require') return { rejectUnauthorized: false };
  return true;
}
