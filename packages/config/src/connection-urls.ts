import { fromText, reject, Rejected, type ValueParser } from './value-parsers.js';

/*
 * `[database] url` and `[redis] url`, checked the way every consumer reads them, so a URL that
 * passes `keepwatch config check` connects the same way in the health check (node-postgres,
 * mysql2, ioredis), the model counts and the backup tools (pg_dump, mariadb-dump): each decodes
 * the user and password with decodeURIComponent (a stray "%" is a URIError there), node-postgres
 * reads a database name with decodeURI where the backup uses decodeURIComponent, and only some of
 * them read query parameters. Messages name the part that is wrong, never its text: these URLs
 * carry passwords.
 */

/** libpq's modes: pg_dump gets the parameter as PGSSLMODE, node-postgres as its `ssl` option. */
export const POSTGRES_SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

/** Query parameters ioredis turns into options, of those keepwatch supports. */
const REDIS_PARAMETERS = ['db', 'family', 'password', 'username'];

const DATABASE_SCHEMES = ['postgres', 'postgresql', 'mysql', 'mariadb'];

export const databaseUrl = (): ValueParser<string> =>
  fromText<string>((raw) => checkDatabaseUrl(raw) ?? raw, { secret: true });

export const redisUrl = (): ValueParser<string> =>
  fromText<string>((raw) => checkRedisUrl(raw) ?? raw, { secret: true });

function checkDatabaseUrl(raw: string): Rejected | undefined {
  const url = parse(raw, DATABASE_SCHEMES);
  if (url instanceof Rejected) return url;
  const postgres = url.protocol.startsWith('postgres');
  const example = postgres ? 'postgres://USER:PASSWORD@HOST:5432/NAME' : 'mysql://USER:PASSWORD@HOST:3306/NAME';
  const common = commonProblem(url, raw);
  if (common) return common;
  if (!url.username) {
    return reject(
      `expected a user name in the URL (${example}): the health check and the backup tools must log in as the same user`,
    );
  }
  const path = url.pathname.slice(1);
  if (!decodes(path)) return strayPercent('database name');
  const name = decodeURIComponent(path);
  if (!name) return reject(`expected the database name at the end of the URL (${example})`);
  if (name.includes('/') || name.startsWith('-')) {
    return reject(
      'expected a database name without "/" and not starting with "-" after the host; ' +
        'a "/" or "@" inside the password must be written %2F or %40',
    );
  }
  // node-postgres keeps %2F, %23 and the like as they are (decodeURI), pg_dump gets them decoded.
  if (postgres && decodeURI(path) !== name) {
    return reject(
      'expected a database name without %-escapes of ; / ? : @ & = + $ , # (node-postgres and pg_dump read those differently)',
    );
  }
  for (const [key, value] of url.searchParams) {
    if (isPasswordLike(key)) return passwordParameter(key, example);
    if (!postgres)
      return reject(`expected no query parameters (${quoteName(key)}): keepwatch reads none from a MySQL URL`);
    if (key !== 'sslmode') {
      return reject(
        `expected no query parameter but sslmode (got ${quoteName(key)}): pg_dump and pg_restore are given no other`,
      );
    }
    if (!(POSTGRES_SSL_MODES as readonly string[]).includes(value))
      return reject(`expected sslmode to be one of ${POSTGRES_SSL_MODES.join(', ')}`);
  }
  if (url.searchParams.getAll('sslmode').length > 1) return reject('expected sslmode once');
  return undefined;
}

function checkRedisUrl(raw: string): Rejected | undefined {
  const url = parse(raw, ['redis', 'rediss']);
  if (url instanceof Rejected) return url;
  const common = commonProblem(url, raw);
  if (common) return common;
  // ioredis reads the path as the database number; anything else it turns into NaN and uses 0.
  if (url.pathname !== '' && url.pathname !== '/' && !/^\/\d{1,5}$/.test(url.pathname)) {
    return reject('expected the database after the host to be a number, e.g. redis://HOST:6379/0');
  }
  for (const [key, value] of url.searchParams) {
    if (!REDIS_PARAMETERS.includes(key)) {
      // ioredis would take any parameter as a client option (?maxRetriesPerRequest=…), as a string.
      return reject(`expected no query parameter but ${REDIS_PARAMETERS.join(', ')} (got ${quoteName(key)})`);
    }
    if (key === 'db' && !/^\d{1,5}$/.test(value)) return reject('expected ?db= to be a number');
    if (key === 'family' && value !== '4' && value !== '6') return reject('expected ?family= to be 4 or 6');
  }
  return undefined;
}

function parse(raw: string, schemes: readonly string[]): URL | Rejected {
  const expected = `expected a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return reject(expected);
  }
  return schemes.includes(url.protocol.slice(0, -1)) ? url : reject(expected);
}

function commonProblem(url: URL, raw: string): Rejected | undefined {
  // node-postgres re-encodes a URL with a space in it (encodeURI), which changes what some
  // %-escapes mean to it and not to the backup tools.
  if (/\s/.test(raw)) return reject('expected a URL without spaces: write a space as %20');
  if (raw.includes('#')) return reject('expected a URL without "#": inside a password or name write it as %23');
  if (!decodes(url.username)) return strayPercent('user name');
  if (!decodes(url.password)) return strayPercent('password');
  if (url.hostname.includes('%'))
    return reject('expected a host name or address without %-escapes (a Unix socket path is not supported)');
  if (url.port === '0') return reject('expected a port from 1 to 65535');
  return undefined;
}

function decodes(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

function strayPercent(part: string): Rejected {
  return reject(`expected the ${part} to be %-encoded: it has a "%" that starts no %-escape; write "%" itself as %25`);
}

function isPasswordLike(key: string): boolean {
  return /pass|secret|token|key/i.test(key);
}

function passwordParameter(key: string, example: string): Rejected {
  return reject(
    `expected the password in the user info (${example}), not as ${quoteName(key)}: the backup tools read no such parameter`,
  );
}

/** A parameter's name when it looks like one; never a long or odd string (it could be a pasted secret). */
function quoteName(key: string): string {
  return /^[A-Za-z0-9_.-]{1,40}$/.test(key) ? `"${key}"` : 'a query parameter';
}
