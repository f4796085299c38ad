import { describe, expect, it } from 'vitest';
import { databaseKindOf, parseDatabaseUrl, withDatabase, type DatabaseUrl } from '../src/index.js';

const SECRET = 'Pa55-s3cret';

function parsed(raw: string): DatabaseUrl {
  const reading = parseDatabaseUrl(raw);
  if (!reading.ok) throw new Error(`refused ${raw}: ${reading.problem}`);
  return reading.url;
}

function problem(raw: string): string {
  const reading = parseDatabaseUrl(raw);
  if (reading.ok) throw new Error(`accepted ${raw}`);
  expect(reading.problem).not.toContain(SECRET);
  return reading.problem;
}

describe('parseDatabaseUrl', () => {
  it('names one kind for each family, whatever the scheme', () => {
    expect(parsed('postgres://app@db/app').kind).toBe('postgres');
    expect(parsed('postgresql://app@db/app').kind).toBe('postgres');
    expect(parsed('mysql://root@db/shop').kind).toBe('mysql');
    expect(parsed('mariadb://root@db/shop').kind).toBe('mysql');
  });

  it('decodes each part once and fills in the port of the kind', () => {
    const url = parsed(`postgresql://app:${encodeURIComponent('p@ss/w:rd %')}@[::1]/app_prod?sslmode=require`);
    expect(url).toEqual({
      kind: 'postgres',
      host: '::1',
      port: 5432,
      user: 'app',
      password: 'p@ss/w:rd %',
      database: 'app_prod',
      sslMode: 'require',
      label: 'postgres://app@[::1]:5432/app_prod',
    });
    expect(parsed('mariadb://r%C3%BCt@127.0.0.1/sh%C3%B6p')).toMatchObject({
      kind: 'mysql',
      port: 3306,
      user: 'rüt',
      password: undefined,
      database: 'shöp',
      sslMode: undefined,
      label: 'mysql://r%C3%BCt@127.0.0.1:3306/sh%C3%B6p',
    });
  });

  it('keeps the password out of the label, also for another database on the same server', () => {
    const url = parsed(`postgres://app:${SECRET}@db.internal:6543/app`);
    expect(url.password).toBe(SECRET);
    const scratch = withDatabase(url, 'kw_verify_1');
    expect(scratch).toMatchObject({ database: 'kw_verify_1', password: SECRET, port: 6543 });
    expect(scratch.label).toBe('postgres://app@db.internal:6543/kw_verify_1');
    expect(JSON.stringify([url.label, scratch.label])).not.toContain(SECRET);
  });

  it.each([
    [`ftp://u:${SECRET}@h/db`, /^expected a URL starting with postgres:\/\/ or postgresql:\/\/ or mysql:\/\//],
    [`not a url ${SECRET}`, /^expected a URL starting with/],
    [`postgres://:${SECRET}@127.0.0.1/db`, /expected a user name in the URL \(postgres:\/\/USER:PASSWORD@HOST/],
    [`mysql://:${SECRET}@127.0.0.1/db`, /expected a user name in the URL \(mysql:\/\/USER:PASSWORD@HOST:3306/],
    [`postgres://u:${SECRET}%ZZ@127.0.0.1/db`, /password to be %-encoded/],
    [`postgres://u:${SECRET}@127.0.0.1`, /expected the database name at the end of the URL/],
    [`postgres://u:${SECRET}@127.0.0.1/-db`, /not starting with "-"/],
    [`postgres://u:${SECRET}@127.0.0.1/a%23b`, /without %-escapes of/],
    [`postgres://u@127.0.0.1/db?password=${SECRET}`, /not as "password"/],
    [`postgres://u@127.0.0.1/db?host=elsewhere`, /no query parameter but sslmode \(got "host"\)/],
    [`postgres://u@127.0.0.1/db?sslmode=require&sslmode=disable`, /sslmode once/],
    [`mysql://u:${SECRET}@127.0.0.1/db?ssl=true`, /no query parameters \("ssl"\)/],
    [`postgres://u:${SECRET}@127.0.0.1:0/db`, /port from 1 to 65535/],
    [`postgres://u:${SECRET} x@127.0.0.1/db`, /without spaces/],
    [`postgres://u:${SECRET}@127.0.0.1/db#x`, /without "#"/],
    [`postgres://u:${SECRET}@%2Frun%2Fpostgresql/db`, /a Unix socket path is not supported/],
  ])('refuses %s, naming the part and never the password', (raw, expected) => {
    expect(problem(raw)).toMatch(expected);
  });
});

describe('databaseKindOf', () => {
  it('reads kinds and schemes, the older spelling postgresql included, and nothing else', () => {
    expect(['postgres', 'postgresql', 'mysql', 'mariadb'].map(databaseKindOf)).toEqual([
      'postgres',
      'postgres',
      'mysql',
      'mysql',
    ]);
    for (const name of ['data', 'sqlite', 'toString', '__proto__', '']) expect(databaseKindOf(name)).toBeUndefined();
  });
});
