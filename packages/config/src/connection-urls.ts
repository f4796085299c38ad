import { parseDatabaseUrl, quoteParameterName, readConnectionUrl } from '@keepwatch/conventions';
import { fromText, reject, type Rejected, type ValueParser } from './value-parsers.js';

/*
 * `[database] url` and `[redis] url`, checked the way every consumer reads them, so a URL that
 * passes `keepwatch config check` connects the same way in the health check (node-postgres,
 * mysql2, ioredis), the model counts and the backup tools (pg_dump, mariadb-dump). The database
 * URL's verdict is `parseDatabaseUrl`'s, the reader every process uses; messages name the part
 * that is wrong, never its text: these URLs carry passwords.
 */

/** Query parameters ioredis turns into options, of those keepwatch supports. */
const REDIS_PARAMETERS = ['db', 'family', 'password', 'username'];

export const databaseUrl = (): ValueParser<string> =>
  fromText<string>(
    (raw) => {
      const reading = parseDatabaseUrl(raw);
      return reading.ok ? raw : reject(reading.problem);
    },
    { secret: true },
  );

export const redisUrl = (): ValueParser<string> =>
  fromText<string>((raw) => checkRedisUrl(raw) ?? raw, { secret: true });

function checkRedisUrl(raw: string): Rejected | undefined {
  const reading = readConnectionUrl(raw, ['redis', 'rediss']);
  if (!reading.ok) return reject(reading.problem);
  const { url } = reading;
  // ioredis reads the path as the database number; anything else it turns into NaN and uses 0.
  if (url.pathname !== '' && url.pathname !== '/' && !/^\/\d{1,5}$/.test(url.pathname)) {
    return reject('expected the database after the host to be a number, e.g. redis://HOST:6379/0');
  }
  for (const [key, value] of url.searchParams) {
    if (!REDIS_PARAMETERS.includes(key)) {
      // ioredis would take any parameter as a client option (?maxRetriesPerRequest=…), as a string.
      return reject(`expected no query parameter but ${REDIS_PARAMETERS.join(', ')} (got ${quoteParameterName(key)})`);
    }
    if (key === 'db' && !/^\d{1,5}$/.test(value)) return reject('expected ?db= to be a number');
    if (key === 'family' && value !== '4' && value !== '6') return reject('expected ?family= to be 4 or 6');
  }
  return undefined;
}
