import { BackupOptionsError } from './errors.js';

export type DatabaseKind = 'postgresql' | 'mysql';

/** A database URL taken apart, with the password kept out of every printable form. */
export interface ConnectionSettings {
  kind: DatabaseKind;
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  /** Query parameters kept for the client (`sslmode` for PostgreSQL). */
  params: Record<string, string>;
  /** `postgres://user@host:port/db`: for logs and messages, never holds the password. */
  label: string;
}

const SCHEMES: Record<string, DatabaseKind> = {
  'postgres:': 'postgresql',
  'postgresql:': 'postgresql',
  'mysql:': 'mysql',
  'mariadb:': 'mysql',
};

/** Parses `postgres://user:pass@host:5432/db` or `mysql://user:pass@host:3306/db`. */
export function parseConnectionUrl(url: string, option = 'url'): ConnectionSettings {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Never echo the URL: it may hold the password.
    throw new BackupOptionsError('connection settings', [`${option}: not a valid URL`]);
  }
  const kind = SCHEMES[parsed.protocol];
  const problems: string[] = [];
  if (!kind) problems.push(`${option}: scheme must be postgres://, postgresql://, mysql:// or mariadb://`);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) problems.push(`${option}: the URL names no database (…/dbname)`);
  if (database.includes('/') || database.startsWith('-')) problems.push(`${option}: database name is not valid`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || (kind === 'mysql' ? '127.0.0.1' : 'localhost');
  const defaultPort = kind === 'mysql' ? 3306 : 5432;
  const port = parsed.port ? Number(parsed.port) : defaultPort;
  const user = decodeURIComponent(parsed.username) || (kind === 'mysql' ? 'root' : 'postgres');
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  if (problems.length > 0) throw new BackupOptionsError('connection settings', problems);
  const params: Record<string, string> = {};
  for (const [key, value] of parsed.searchParams) params[key] = value;
  const scheme = kind === 'mysql' ? 'mysql' : 'postgres';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    kind: kind!,
    host,
    port,
    user,
    password,
    database,
    params,
    label: `${scheme}://${encodeURIComponent(user)}@${hostPart}:${port}/${encodeURIComponent(database)}`,
  };
}

/** The same server and credentials, another database (scratch databases for restore tests). */
export function withDatabase(settings: ConnectionSettings, database: string): ConnectionSettings {
  const label = settings.label.replace(/\/[^/]*$/, `/${encodeURIComponent(database)}`);
  return { ...settings, database, label };
}
