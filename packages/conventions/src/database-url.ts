import { DATABASE_URL_SCHEMES, type DatabaseKind } from './database-kind.js';
import {
  decodes,
  quoteParameterName,
  readConnectionUrl,
  refused,
  strayPercent,
  type UrlReading,
} from './url-reading.js';

/** libpq's modes: pg_dump gets the parameter as PGSSLMODE, node-postgres as its `ssl` option. */
export const POSTGRES_SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

export type PostgresSslMode = (typeof POSTGRES_SSL_MODES)[number];

/** A database URL taken apart, each part decoded once, the way every consumer must use it. */
export interface DatabaseUrl {
  readonly kind: DatabaseKind;
  /** A host name or an IP address; an IPv6 address without its brackets. */
  readonly host: string;
  /** The URL's port, else the kind's: 5432 or 3306. */
  readonly port: number;
  readonly user: string;
  /** undefined when the URL has none (the server may trust the host, or a socket's peer). */
  readonly password: string | undefined;
  readonly database: string;
  /** `?sslmode=` (PostgreSQL only), in libpq's meaning: `require` encrypts without verifying. */
  readonly sslMode: PostgresSslMode | undefined;
  /** `postgres://user@host:port/db`: for logs and messages, never holds the password. */
  readonly label: string;
}

const DEFAULT_PORTS: Record<DatabaseKind, number> = { postgres: 5432, mysql: 3306 };

const EXAMPLES: Record<DatabaseKind, string> = {
  postgres: 'postgres://USER:PASSWORD@HOST:5432/NAME',
  mysql: 'mysql://USER:PASSWORD@HOST:3306/NAME',
};

/**
 * `[database] url` (or a restore's `--target`) read the one way every consumer reads it: the
 * health check and the model counts (node-postgres, mysql2), and the backup tools (pg_dump,
 * mariadb-dump). Refused unless all of them would connect to the same database as the same user:
 * so a URL `keepwatch config check` passes never fails later in a worker.
 */
export function parseDatabaseUrl(raw: string): UrlReading<DatabaseUrl> {
  const read = readConnectionUrl(raw, Object.keys(DATABASE_URL_SCHEMES));
  if (!read.ok) return read;
  const { url } = read;
  const kind = DATABASE_URL_SCHEMES[url.protocol.slice(0, -1)]!;
  const example = EXAMPLES[kind];
  if (!url.username) {
    return refused(
      `expected a user name in the URL (${example}): the health check and the backup tools must log in as the same user`,
    );
  }
  const path = url.pathname.slice(1);
  if (!decodes(path)) return strayPercent('database name');
  const database = decodeURIComponent(path);
  if (!database) return refused(`expected the database name at the end of the URL (${example})`);
  if (database.includes('/') || database.startsWith('-')) {
    return refused(
      'expected a database name without "/" and not starting with "-" after the host; ' +
        'a "/" or "@" inside the password must be written %2F or %40',
    );
  }
  // node-postgres keeps %2F, %23 and the like as they are (decodeURI), pg_dump gets them decoded.
  if (kind === 'postgres' && decodeURI(path) !== database) {
    return refused(
      'expected a database name without %-escapes of ; / ? : @ & = + $ , # (node-postgres and pg_dump read those differently)',
    );
  }
  const sslMode = url.searchParams.getAll('sslmode');
  for (const [key, value] of url.searchParams) {
    if (/pass|secret|token|key/i.test(key)) {
      return refused(
        `expected the password in the user info (${example}), not as ${quoteParameterName(key)}: the backup tools read no such parameter`,
      );
    }
    if (kind === 'mysql') {
      return refused(
        `expected no query parameters (${quoteParameterName(key)}): keepwatch reads none from a MySQL URL`,
      );
    }
    if (key !== 'sslmode') {
      return refused(
        `expected no query parameter but sslmode (got ${quoteParameterName(key)}): pg_dump and pg_restore are given no other`,
      );
    }
    if (!(POSTGRES_SSL_MODES as readonly string[]).includes(value))
      return refused(`expected sslmode to be one of ${POSTGRES_SSL_MODES.join(', ')}`);
  }
  if (sslMode.length > 1) return refused('expected sslmode once');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[kind];
  const user = decodeURIComponent(url.username);
  return {
    ok: true,
    url: Object.freeze({
      kind,
      host,
      port,
      user,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      database,
      sslMode: sslMode[0] as PostgresSslMode | undefined,
      label: databaseLabel({ kind, host, port, user, database }),
    }),
  };
}

/** The same server and credentials, another database (scratch databases for restore tests). */
export function withDatabase(url: DatabaseUrl, database: string): DatabaseUrl {
  return Object.freeze({ ...url, database, label: databaseLabel({ ...url, database }) });
}

function databaseLabel(url: Pick<DatabaseUrl, 'kind' | 'host' | 'port' | 'user' | 'database'>): string {
  const host = url.host.includes(':') ? `[${url.host}]` : url.host;
  return `${url.kind}://${encodeURIComponent(url.user)}@${host}:${url.port}/${encodeURIComponent(url.database)}`;
}
