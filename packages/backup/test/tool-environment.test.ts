import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PG_URL, pgAdmin } from '@keepwatch/test-support/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDestination, postgresSource, resolveBackupOptions, restoreBackup, runBackup } from '../src/index.js';
import { postgresTarget } from '../src/databases/pg-restore-target.js';
import { tempDir } from './helpers/files.js';

/*
 * The package reads no process.env (docs/design.md): every tool starts from the environment its
 * caller passes (`env`, a process's own process.env as runtime passes it), without the PG* and
 * MYSQL* variables in it, plus keepwatch's own (the password). Each tool here is a wrapper that
 * writes down the environment it got, then runs the real one.
 */
const PASSWORD = `pw-${randomBytes(4).toString('hex')}`;
const GIVEN = {
  PATH: process.env.PATH,
  KW_TEST_GIVEN: 'given',
  // Either would change what the tools connect to or how: only the URL may say that.
  PGOPTIONS: '-c statement_timeout=1',
  MYSQL_HOST: '192.0.2.1',
};

describe('the env option', () => {
  it('takes process.env as it is, as a process passes it', () => {
    expect(() => postgresSource({ url: `${PG_URL}/app`, env: process.env })).not.toThrow();
    expect(resolveBackupOptions({ env: process.env }).env).toBe(process.env);
    expect(() => resolveBackupOptions({ env: { PATH: 1 } as never })).toThrow(/env: must be an environment/);
  });
});

describe('the tools run in the environment they are given', () => {
  const name = `kw_backup_env_${randomBytes(4).toString('hex')}`;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const wrapper = (tool: string): string => join(dir.path, 'bin', tool);

  beforeAll(async () => {
    dir = await tempDir('kw-backup-env');
    await pgAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
    await pgAdmin((c) => c.query('CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 100) g'), name);
    await mkdir(join(dir.path, 'bin'));
    await mkdir(join(dir.path, 'env'));
    for (const tool of ['pg_dump', 'pg_restore', 'zstd']) {
      await writeFile(wrapper(tool), `#!/bin/sh\nenv > '${join(dir.path, 'env')}/${tool}.'$$\nexec ${tool} "$@"\n`);
      await chmod(wrapper(tool), 0o755);
    }
    process.env.KW_TEST_NOT_GIVEN = 'the test process only';
  });

  afterAll(async () => {
    delete process.env.KW_TEST_NOT_GIVEN;
    await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch(() => {});
    await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}_restored" WITH (FORCE)`)).catch(() => {});
    await dir?.remove();
  });

  it('gives pg_dump, zstd and pg_restore what the caller passed, never the process’s own, no PG*/MYSQL*', async () => {
    const url = `${PG_URL.replace('postgres@', `postgres:${PASSWORD}@`)}/${name}`;
    const destination = localDestination({ directory: join(dir.path, 'backups') });
    const manifest = await runBackup({
      source: postgresSource({ url, pgDumpPath: wrapper('pg_dump'), env: GIVEN }),
      destination,
      options: { zstdPath: wrapper('zstd'), env: GIVEN },
    });
    await pgAdmin((c) => c.query(`CREATE DATABASE "${name}_restored"`));
    await restoreBackup({
      destination,
      id: manifest.id,
      target: postgresTarget({ url: `${url}_restored`, pgRestorePath: wrapper('pg_restore'), env: GIVEN }),
      zstdPath: wrapper('zstd'),
      env: GIVEN,
    });
    const restored = await pgAdmin(
      (c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM t'),
      `${name}_restored`,
    );
    expect(restored.rows[0]!.n).toBe(100);

    const seen = new Map<string, string[][]>();
    for (const file of await readdir(join(dir.path, 'env'))) {
      const tool = file.split('.')[0]!;
      const lines = (await readFile(join(dir.path, 'env', file), 'utf8')).split('\n');
      seen.set(tool, [...(seen.get(tool) ?? []), lines]);
    }
    // pg_dump twice (--version, the dump), zstd at least twice (the direct-compression probe, the
    // backup, the restore), pg_restore once.
    expect([...seen.keys()].sort()).toEqual(['pg_dump', 'pg_restore', 'zstd']);
    for (const [tool, runs] of seen) {
      for (const env of runs) {
        expect(env, tool).toContain('KW_TEST_GIVEN=given');
        expect(env, tool).toContain(`PATH=${process.env.PATH}`);
        expect(env, tool).toContain('LC_MESSAGES=C');
        expect(
          env.filter((line) => /^(KW_TEST_NOT_GIVEN|PGOPTIONS|MYSQL_HOST)=/.test(line)),
          tool,
        ).toEqual([]);
      }
    }
    // The password reaches the tools that connect, in their environment only.
    const dump = seen.get('pg_dump')!.find((env) => env.includes(`PGDATABASE=${name}`));
    expect(dump).toContain(`PGPASSWORD=${PASSWORD}`);
    expect(
      seen
        .get('zstd')!
        .flat()
        .filter((line) => line.startsWith('PGPASSWORD=')),
    ).toEqual([]);
  });
});
