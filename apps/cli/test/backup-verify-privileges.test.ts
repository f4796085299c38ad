// `backup verify --restore-test` as a database user who may not create databases (issue 16, item
// 10): one line naming the missing privilege and the grant, exit 1, no stack trace.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MY_URL, myAdmin } from '@keepwatch/test-support/mariadb';
import { PG_URL, pgAdmin } from '@keepwatch/test-support/postgres';
import { runCli } from './helpers/run-cli.js';

const suffix = randomBytes(4).toString('hex');
const database = `kw_cli_verify_priv_${suffix}`;
const user = `kw_cli_verify_priv_${suffix}`;
const password = `pw-${suffix}`;
let dir: string;

function env(url: string): Record<string, string> {
  return {
    KEEPWATCH_DATABASE_URL: url,
    KEEPWATCH_DATA_DIR: join(dir, 'data'),
    KEEPWATCH_BACKUP_DESTINATION: join(dir, 'backups'),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-cli-verify-priv-'));
  await pgAdmin((c) => c.query(`CREATE DATABASE ${database}`));
  await pgAdmin((c) => c.query('CREATE TABLE ticket AS SELECT g AS id FROM generate_series(1, 100) g'), database);
  await pgAdmin((c) => c.query(`CREATE ROLE ${user} LOGIN NOCREATEDB PASSWORD '${password}'`));
  await myAdmin(async (c) => {
    await c.query(`CREATE DATABASE ${database}`);
    await c.query(`CREATE TABLE ${database}.ticket (id INT PRIMARY KEY)`);
    await c.query(`INSERT INTO ${database}.ticket VALUES (1), (2), (3)`);
    await c.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [user, password]);
    await c.query(`GRANT SELECT ON \`${database}\`.* TO ?@'%'`, [user]);
  });
}, 30_000);

afterAll(async () => {
  await pgAdmin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS ${user}`);
  }).catch(() => undefined);
  await myAdmin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${database}`);
    await c.query(`DROP USER IF EXISTS ?@'%'`, [user]);
  }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 30_000);

const cases = [
  {
    kind: 'PostgreSQL',
    admin: `${PG_URL}/${database}`,
    restricted: `${PG_URL.replace('postgres@', `${user}:${password}@`)}/${database}`,
    line:
      `keepwatch: postgres://${user}@127.0.0.1:5432/${database}: the restore test cannot create its scratch database (kw_verify_…): ` +
      `role "${user}" lacks the CREATEDB privilege; give it, as an administrator, with ALTER ROLE "${user}" CREATEDB;\n`,
  },
  {
    kind: 'MariaDB',
    admin: `${MY_URL}/${database}`,
    restricted: `${MY_URL.replace('root@', `${user}:${password}@`)}/${database}`,
    line:
      `keepwatch: mysql://${user}@127.0.0.1:3306/${database}: the restore test cannot create its scratch database (kw_verify_…): ` +
      `'${user}'@'%' lacks the CREATE privilege; give it, as an administrator, with GRANT ALL PRIVILEGES ON \`kw\\_verify\\_%\`.* TO '${user}'@'%';\n`,
  },
];

describe.each(cases)(
  'keepwatch backup verify --restore-test without the privilege to create a database ($kind)',
  ({ admin, restricted, line }) => {
    it('prints one line naming the privilege and the grant, and exits 1', async () => {
      const run = await runCli(['backup', 'run', '--json'], env(admin), 60_000);
      expect(run.code, run.stderr).toBe(0);
      const { id } = JSON.parse(run.stdout) as { id: string };

      const verify = await runCli(['backup', 'verify', id, '--restore-test'], env(restricted), 30_000);
      expect(verify.stderr).toBe(line);
      expect(verify.code).toBe(1);
      expect(verify.stdout).toBe('');
    }, 90_000);
  },
);
