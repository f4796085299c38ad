import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/index.js';

const SECRET = 'Pa55-s3cret';

async function problem(key: 'DATABASE' | 'REDIS', url: string): Promise<string> {
  const error = await loadConfig({ env: { [`KEEPWATCH_${key}_URL`]: url } }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, url).toBeInstanceOf(ConfigError);
  const message = (error as ConfigError).message;
  expect(message.split('\n'), message).toHaveLength(2);
  expect(message).not.toContain(SECRET);
  return message;
}

describe('[database] url', () => {
  it.each([
    'postgres://app@127.0.0.1/app',
    `postgres://app:${SECRET}@db.internal:5432/app?sslmode=verify-full`,
    `postgresql://app:${encodeURIComponent('p@ss/w:rd %')}@[::1]:5432/app_prod`,
    `mysql://root:${SECRET}@127.0.0.1:3306/shop`,
    'mariadb://root@localhost/shop',
  ])('accepts %s', async (url) => {
    const { config } = await loadConfig({ env: { KEEPWATCH_DATABASE_URL: url } });
    expect(config.database.url).toBe(url);
  });

  // Each of these passed config check before, then failed in the worker (URIError from
  // decodeURIComponent, "names no database"), or connected differently in the health check and
  // in pg_dump (a password or user the backup tools never see).
  it.each([
    [
      `postgres://u:${SECRET}%ZZx@127.0.0.1/db`,
      /password to be %-encoded: it has a "%" that starts no %-escape; write "%" itself as %25/,
    ],
    [`postgres://u%G1:${SECRET}@127.0.0.1/db`, /user name to be %-encoded/],
    [`postgres://u:${SECRET}@127.0.0.1/d%b`, /database name to be %-encoded/],
    [`postgres://:${SECRET}@127.0.0.1/db`, /expected a user name in the URL/],
    [`postgres://u:${SECRET}@127.0.0.1`, /expected the database name at the end of the URL/],
    [`postgres://u:${SECRET}@127.0.0.1/`, /expected the database name at the end of the URL/],
    [`postgres://u:${SECRET}@127.0.0.1/a%2Fb`, /without "\/"/],
    [`postgres://u:${SECRET}@127.0.0.1/-db`, /not starting with "-"/],
    [`postgres://u:${SECRET}@127.0.0.1/a%23b`, /without %-escapes of ; \/ \? : @/],
    [
      `postgres://u@127.0.0.1/db?password=${SECRET}`,
      /expected the password in the user info \(postgres:\/\/USER:PASSWORD@HOST:5432\/NAME\), not as "password"/,
    ],
    [`postgres://u@127.0.0.1/db?sslmode=require&sslpassword=${SECRET}`, /not as "sslpassword"/],
    [
      `postgres://u:${SECRET}@127.0.0.1/db?sslmode=sometimes`,
      /sslmode to be one of disable, allow, prefer, require, verify-ca, verify-full/,
    ],
    [`postgres://u:${SECRET}@127.0.0.1/db?host=elsewhere`, /no query parameter but sslmode \(got "host"\)/],
    [`postgres://u:${SECRET}@127.0.0.1/db?sslmode=require&sslmode=disable`, /sslmode once/],
    [
      `mysql://u:${SECRET}@127.0.0.1/db?ssl=true`,
      /no query parameters \("ssl"\): keepwatch reads none from a MySQL URL/,
    ],
    [`postgres://u:${SECRET}@127.0.0.1:0/db`, /port from 1 to 65535/],
    [`postgres://u:${SECRET} x@127.0.0.1/db`, /without spaces/],
    [`postgres://u:${SECRET}@127.0.0.1/db#x`, /without "#"/],
    [`postgres://u:${SECRET}@%2Frun%2Fpostgresql/db`, /without %-escapes \(a Unix socket path is not supported\)/],
    [`sqlite://u:${SECRET}@127.0.0.1/db`, /expected a URL starting with postgres:\/\//],
  ])('refuses %s, naming the part and never the password', async (url, expected) => {
    expect(await problem('DATABASE', url)).toMatch(expected);
  });
});

describe('[redis] url', () => {
  it.each([
    'redis://127.0.0.1:6379',
    'redis://127.0.0.1:6379/',
    `redis://:${SECRET}@127.0.0.1:6379/2`,
    `rediss://default:${SECRET}@cache.internal:6380/0?family=6`,
    `redis://127.0.0.1?password=${SECRET}&db=3`,
  ])('accepts %s', async (url) => {
    const { config } = await loadConfig({ env: { KEEPWATCH_REDIS_URL: url } });
    expect(config.redis.url).toBe(url);
  });

  it.each([
    [`redis://:${SECRET}%ZZ@127.0.0.1`, /password to be %-encoded/],
    // ioredis reads "zero" as NaN and silently uses database 0.
    [`redis://:${SECRET}@127.0.0.1/zero`, /database after the host to be a number/],
    [`redis://:${SECRET}@127.0.0.1/0/1`, /database after the host to be a number/],
    [
      `redis://:${SECRET}@127.0.0.1?maxRetriesPerRequest=5`,
      /no query parameter but db, family, password, username \(got "maxRetriesPerRequest"\)/,
    ],
    [`redis://:${SECRET}@127.0.0.1?db=first`, /\?db= to be a number/],
    [`redis://:${SECRET}@127.0.0.1?family=5`, /\?family= to be 4 or 6/],
    [`redis://:${SECRET}@127.0.0.1?${'x'.repeat(100)}=1`, /\(got a query parameter\)/],
  ])('refuses %s, naming the part and never the password', async (url, expected) => {
    expect(await problem('REDIS', url)).toMatch(expected);
  });
});
