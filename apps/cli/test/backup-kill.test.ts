// `kill -9` of `keepwatch backup run` mid-dump must leave no database password on disk, once the
// next backup run has happened (issue 16, item 2): a killed process cleans nothing up itself.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MY_URL, myAdmin } from '@keepwatch/test-support/mariadb';
import { PG_URL, pgAdmin } from '@keepwatch/test-support/postgres';
import { runCli } from './helpers/run-cli.js';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const suffix = randomBytes(4).toString('hex');
const database = `kw_cli_kill_${suffix}`;
const myUser = `kw_cli_kill_${suffix}`;
// trust auth on the test PostgreSQL accepts any password; MariaDB checks it.
const password = `pw-${suffix}-K1ll`;
let dir: string;

/** Every place the CLI could write: its TMPDIR, HOME, data directory and backups are all under `dir`. */
function env(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TMPDIR: join(dir, 'tmp'),
    HOME: join(dir, 'home'),
    KEEPWATCH_DATABASE_URL: url,
    KEEPWATCH_DATA_DIR: join(dir, 'data'),
    KEEPWATCH_BACKUP_DESTINATION: join(dir, 'backups'),
    ...extra,
  };
}

/** Files holding the password: under `dir`, and, should a tool ignore TMPDIR, in the machine's temp folders. */
async function filesWithPassword(): Promise<string[]> {
  const found: string[] = [];
  const scan = async (path: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) await scan(child);
      else if (entry.isFile() && (await readFile(child).catch(() => Buffer.alloc(0))).includes(password))
        found.push(child);
    }
  };
  await scan(dir);
  for (const shared of [tmpdir(), '/dev/shm']) {
    for (const name of existsSync(shared) ? readdirSync(shared) : [])
      if (name.startsWith('keepwatch')) await scan(join(shared, name));
  }
  return found;
}

/** Pids of the processes started under `mark` (the CLI and every tool below it). */
function processesMarked(mark: string): { pid: number; commandLine: string }[] {
  const found: { pid: number; commandLine: string }[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`KW_TEST_MARK=${mark}`)) continue;
      found.push({ pid: Number(pid), commandLine: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      // Exited while we looked.
    }
  }
  return found;
}

/** Starts `backup run` with the dump tools slowed down, waits until `tool` dumps, and kills the CLI with SIGKILL. */
async function killMidDump(url: string, tool: RegExp): Promise<void> {
  const mark = randomBytes(6).toString('hex');
  const child = spawn(process.execPath, [main, 'backup', 'run'], {
    env: { ...env(url, { KW_TEST_MARK: mark }), PATH: `${join(dir, 'slow-bin')}:${process.env.PATH ?? ''}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  try {
    await vi.waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`backup run ended before it was killed: ${stderr}`);
        expect(processesMarked(mark).some((p) => tool.test(p.commandLine))).toBe(true);
      },
      { timeout: 15_000, interval: 20 },
    );
    // The tool has connected by now and is streaming through the throttle.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(child.exitCode).toBe(null);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
  } finally {
    child.kill('SIGKILL');
    // What was below it would die of a broken pipe in its own time; a test does not wait for that.
    for (const { pid } of processesMarked(mark)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-cli-kill-'));
  for (const sub of ['tmp', 'home', 'slow-bin']) await mkdir(join(dir, sub));
  // pg_dump and mariadb-dump as keepwatch finds them on PATH, their output slowed to 100 KB/s.
  await writeFile(
    join(dir, 'slow-bin', 'throttle.mjs'),
    `let sent = 0; const started = Date.now();
     for await (const chunk of process.stdin) {
       sent += chunk.length;
       const due = started + sent / 100;
       if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
       if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
     }\n`,
  );
  for (const tool of ['pg_dump', 'mariadb-dump']) {
    const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    const path = join(dir, 'slow-bin', tool);
    await writeFile(
      path,
      `#!/bin/sh\nif [ "$1" = "--version" ]; then exec ${real} --version; fi\n` +
        `${real} "$@" | ${process.execPath} ${join(dir, 'slow-bin', 'throttle.mjs')}\n`,
    );
    await chmod(path, 0o755);
  }
  await pgAdmin((c) => c.query(`CREATE DATABASE ${database}`));
  await pgAdmin(async (c) => {
    await c.query(`CREATE TABLE ticket AS SELECT g AS id, md5(g::text) AS holder FROM generate_series(1, 50000) g`);
  }, database);
  await myAdmin(async (c) => {
    await c.query(`CREATE DATABASE ${database}`);
    await c.query(`USE ${database}`);
    await c.query(`CREATE TABLE ${database}.ticket AS SELECT seq AS id, MD5(seq) AS holder FROM seq_1_to_50000`);
    await c.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [myUser, password]);
    await c.query(`GRANT ALL ON \`${database}\`.* TO ?@'%'`, [myUser]);
  });
}, 60_000);

afterAll(async () => {
  await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
  await myAdmin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${database}`);
    await c.query(`DROP USER IF EXISTS ?@'%'`, [myUser]);
  }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 30_000);

const databases = [
  {
    kind: 'PostgreSQL',
    url: () => `${PG_URL.replace('postgres@', `postgres:${password}@`)}/${database}`,
    tool: /pg_dump .*--snapshot/,
  },
  {
    kind: 'MariaDB',
    url: () => `${MY_URL.replace('root@', `${myUser}:${password}@`)}/${database}`,
    tool: /mariadb-dump .*--single-transaction/,
  },
];

describe.each(databases)('keepwatch backup run killed with -9 mid-dump ($kind)', ({ url, tool }) => {
  it('leaves no password on disk, before or after the next run', async () => {
    await killMidDump(url(), tool);
    expect(await filesWithPassword()).toEqual([]);

    // Earlier builds wrote a password file and left it when killed: the next run removes it.
    const leftover = join(dir, 'tmp', 'keepwatch-backup-Old123');
    await mkdir(leftover, { mode: 0o700 });
    await writeFile(join(leftover, 'pgpass'), `*:*:*:postgres:${password}\n`, { mode: 0o600 });
    expect(await filesWithPassword()).toEqual([join(leftover, 'pgpass')]);

    const next = await runCli(['backup', 'run', '--json'], env(url()), 60_000);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`removed database password files an earlier keepwatch left behind: ${leftover}`);
    expect(await filesWithPassword()).toEqual([]);
  }, 90_000);
});
