// The disaster drill of issue 18 against a real S3 API server (s3rver, a process of the test's
// own): back up to an s3:// remote, lose the local backups, list and restore from S3 alone.
// s3rver takes any secret key, so nothing here proves that authentication works.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listTree, makeDataDir, selected } from '@keepwatch/test-support/data-dir';
import { PG_URL, pgAdmin } from '@keepwatch/test-support/postgres';
import { startS3Server, type TestS3Server } from '../../../packages/backup/test/helpers/s3-server.js';
import { runCli } from './helpers/run-cli.js';
import { throttledProxy, type ThrottledProxy } from './helpers/throttled-proxy.js';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const suffix = randomBytes(4).toString('hex');
const source = `kw_cli_s3_${suffix}`;
const restored = `kw_cli_s3_${suffix}_restored`;
const big = `kw_cli_s3_${suffix}_big`;
const bucket = 'kw-drill';
const SECRET = `s3rver-takes-any-${suffix}`;
let dir: string;
let s3: TestS3Server;
let proxy: ThrottledProxy;

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    KEEPWATCH_DATABASE_URL: `${PG_URL}/${source}`,
    KEEPWATCH_DATA_DIR: join(dir, 'data'),
    KEEPWATCH_BACKUP_DESTINATION: join(dir, 'backups'),
    KEEPWATCH_BACKUP_REMOTE: `s3://${bucket}/drill`,
    KEEPWATCH_BACKUP_REMOTE_ENDPOINT: s3.endpoint,
    KEEPWATCH_BACKUP_REMOTE_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SECRET,
    ...extra,
  };
}

interface Listed {
  id: string;
  source: string;
  kind: string;
  file?: string;
}

async function listRemote(extra: Record<string, string> = {}): Promise<Listed[]> {
  const list = await runCli(['backup', 'list', '--remote', '--json'], env(extra));
  expect(list.stderr).toBe('');
  expect(list.code).toBe(0);
  return JSON.parse(list.stdout) as Listed[];
}

/** The database as plain SQL, without the lines that differ between two dumps of the same data. */
function normalisedDump(database: string): string {
  const sql = execFileSync('pg_dump', ['--no-owner', '--no-privileges', `${PG_URL}/${database}`], { encoding: 'utf8' });
  return sql
    .split('\n')
    .filter((line) => !line.startsWith('--') && !/^\\(un)?restrict /.test(line))
    .join('\n');
}

function flipByte(file: string, at: number): void {
  const bytes = readFileSync(file);
  bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
  writeFileSync(file, bytes);
}

/** Scratch folders of remote fetches left in the backup destination. */
async function scratchLeft(): Promise<string[]> {
  return (await readdir(join(dir, 'backups')).catch(() => [] as string[])).filter((n) => n.startsWith('.remote-'));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-cli-s3-'));
  s3 = await startS3Server(join(dir, 's3'), [bucket]);
  proxy = await throttledProxy(Number(new URL(s3.endpoint).port), 1024 * 1024);
  makeDataDir(join(dir, 'data'));
  await pgAdmin(async (c) => {
    for (const db of [source, restored, big]) await c.query(`CREATE DATABASE ${db}`);
  });
  await pgAdmin(async (c) => {
    await c.query('CREATE TABLE ticket (id int PRIMARY KEY, holder text NOT NULL, paid numeric(8,2))');
    await c.query(`INSERT INTO ticket SELECT g, 'holder ' || g, g * 1.25 FROM generate_series(1, 2000) g`);
    await c.query('CREATE INDEX ticket_holder ON ticket (holder)');
  }, source);
  // Random bytes hardly compress: a dump of a few parts, so an upload takes a while through the proxy.
  await pgAdmin(async (c) => {
    await c.query('CREATE TABLE blob (id int PRIMARY KEY, data bytea NOT NULL)');
    await c.query(
      `INSERT INTO blob SELECT g, decode(md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text), 'hex')
       FROM generate_series(1, 300000) g`,
    );
  }, big);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await s3?.stop();
  await pgAdmin(async (c) => {
    for (const db of [source, restored, big]) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 30_000);

describe('the disaster drill with an s3:// remote', { timeout: 120_000 }, () => {
  const ids = { database: '', data: '' };
  let dumpFile = '';

  it('backs up the database and the data directory to S3, writing nothing but its output', async () => {
    const dump = await runCli(['backup', 'run', '--source', 'database', '--json'], env(), 60_000);
    expect(dump.stderr).toBe('');
    expect(dump.code).toBe(0);
    const manifest = JSON.parse(dump.stdout) as { id: string; file: string; remote: string };
    expect(manifest.remote).toBe(`s3://${bucket}/drill at ${s3.endpoint}`);
    const data = await runCli(['backup', 'run', '--source', 'data', '--json'], env(), 60_000);
    expect(data.stderr).toBe('');
    expect(data.code).toBe(0);
    ids.database = manifest.id;
    ids.data = (JSON.parse(data.stdout) as { id: string }).id;
    dumpFile = manifest.file;
  });

  it('lists both from S3 alone once the local backups are gone', async () => {
    await rm(join(dir, 'backups'), { recursive: true, force: true });
    expect((await runCli(['backup', 'list', '--json'], env())).stdout.trim()).toBe('[]');
    const listed = await listRemote();
    expect(listed.map((b) => [b.id, b.source, b.kind])).toEqual([
      [ids.database, 'database', 'postgres'],
      [ids.data, 'data', 'data'],
    ]);
    const table = await runCli(['backup', 'list', '--remote'], env());
    expect(table.stdout).toMatch(new RegExp(`^${ids.database}\\s+database\\s+postgres\\s+`, 'm'));
    expect(table.stdout).toMatch(new RegExp(`^${ids.data}\\s+data\\s+data\\s+`, 'm'));
    expect(await scratchLeft()).toEqual([]);
  });

  it('verifies both from S3, the dump with a restore test too', async () => {
    const dump = await runCli(['backup', 'verify', ids.database, '--restore-test', '--json'], env(), 60_000);
    expect(dump.stderr).toBe('');
    expect(dump.code).toBe(0);
    expect(JSON.parse(dump.stdout)).toMatchObject({
      ok: true,
      checksum: { ok: true },
      restoreTest: { ok: true },
      remote: `s3://${bucket}/drill at ${s3.endpoint}`,
    });
    const data = await runCli(['backup', 'verify', ids.data], env());
    expect(data.code).toBe(0);
    expect(data.stdout).toMatch(/^fetched from s3:\/\/kw-drill\/drill at http/m);
    expect(data.stdout).toMatch(new RegExp(`snapshot ${ids.data} is good`));
    expect(await scratchLeft()).toEqual([]);
  });

  it('restores both from S3 alone, identical to what was backed up', async () => {
    const db = await runCli(['backup', 'restore', ids.database, '--target', `${PG_URL}/${restored}`], env(), 60_000);
    expect(db.stderr).toBe('');
    expect(db.code).toBe(0);
    expect(db.stdout).toMatch(/\(fetched from s3:\/\/kw-drill\/drill at http:\/\/127\.0\.0\.1:\d+\) into /);
    const original = normalisedDump(source);
    expect(original).toContain('CREATE TABLE public.ticket');
    expect(normalisedDump(restored)).toBe(original);

    const target = join(dir, 'restored-data');
    const data = await runCli(['backup', 'restore', ids.data, '--target', target], env());
    expect(data.stderr).toBe('');
    expect(data.code).toBe(0);
    const tree = listTree(target);
    expect(tree).toEqual(selected(join(dir, 'data')));
    expect(tree['.secret']).toMatch(/^file 600 /);
    expect(tree['media/uploads/file-1.bin']).toMatch(/^file 755 /);
    expect(tree['media/current']).toBe('link avatars/file-0.bin');
    // Nothing of the drill is left in the destination, so retention has nothing to see.
    expect(await readdir(join(dir, 'backups'))).toEqual([]);
  });

  it('fails verify with the checksum error when one byte of the stored dump is flipped', async () => {
    const object = s3.objectFile(bucket, `drill/database/${dumpFile}`);
    flipByte(object, Math.floor(readFileSync(object).length / 2));
    const bad = await runCli(['backup', 'verify', ids.database], env());
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^checksum: FAIL \(sha256 [0-9a-f]{64} over .*; the manifest says [0-9a-f]{64}\)$/m);
    expect(bad.stdout).toMatch(new RegExp(`backup ${ids.database} did NOT verify`));
    expect(await scratchLeft()).toEqual([]);
  });

  it('fails verify of a data snapshot whose stored object was damaged, naming the file', async () => {
    const objects = join(s3.directory, bucket, 'drill', 'data', 'objects');
    const shard = (await readdir(objects)).sort()[0]!;
    const name = (await readdir(join(objects, shard))).find((n) => n.endsWith('._S3rver_object'))!;
    const file = join(objects, shard, name);
    flipByte(file, 0);
    const bad = await runCli(['backup', 'verify', ids.data], env());
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      new RegExp(`snapshot "${ids.data}" on s3://kw-drill/drill at http://127\\.0\\.0\\.1:\\d+ is damaged at "[^"]+"`),
    );
    expect(await scratchLeft()).toEqual([]);
  });

  it('removes the scratch folder a killed fetch on this machine left, and no other', async () => {
    const host = hostname()
      .replace(/[^A-Za-z0-9.]/g, '_')
      .slice(0, 64);
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const names = [
      `.remote-${gone}-${host}-abc123`,
      `.remote-${process.pid}-${host}-def456`,
      `.remote-${gone}-elsewhere-ghi789`,
    ];
    for (const name of names) {
      mkdirSync(join(dir, 'backups', name, 'database'), { recursive: true });
      writeFileSync(join(dir, 'backups', name, 'database', 'half.pgdump.zst'), 'half a fetch');
    }
    const verify = await runCli(['backup', 'verify', ids.data], env());
    expect(verify.code).toBe(1); // its object was damaged above; the fetch ran all the same
    expect((await scratchLeft()).sort()).toEqual(names.slice(1).sort());
    for (const name of names.slice(1)) await rm(join(dir, 'backups', name), { recursive: true });
  });

  it('says a backup is on neither side', async () => {
    const missing = await runCli(['backup', 'verify', 'database-20200101T000000Z-aaaaaa'], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/backup "database-20200101T000000Z-aaaaaa" not found in s3:\/\/kw-drill\/drill/);
  });
});

describe('kill -9 of keepwatch backup run during the S3 upload', { timeout: 180_000 }, () => {
  const killEnv = (endpoint: string) =>
    env({
      KEEPWATCH_DATABASE_URL: `${PG_URL}/${big}`,
      KEEPWATCH_BACKUP_DESTINATION: join(dir, 'big-backups'),
      KEEPWATCH_BACKUP_REMOTE: `s3://${bucket}/killed`,
      KEEPWATCH_BACKUP_REMOTE_ENDPOINT: endpoint,
    });

  it('leaves nothing listed, and the next run removes the incomplete upload', async () => {
    expect(await s3.uploadsOnDisk(bucket)).toEqual([]);
    // Through the proxy at 1 MiB/s: a dump of several 8 MiB parts takes many seconds to send.
    const child = spawn(process.execPath, [main, 'backup', 'run'], {
      env: { PATH: process.env.PATH ?? '', ...killEnv(`http://127.0.0.1:${proxy.port}`) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    try {
      await vi.waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`backup run ended before its upload began: ${stderr}`);
          expect(await s3.uploadsOnDisk(bucket)).not.toEqual([]);
        },
        { timeout: 60_000, interval: 50 },
      );
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    const left = await s3.uploadsOnDisk(bucket);
    expect(left.length).toBe(1);
    expect(await listRemote({ KEEPWATCH_BACKUP_REMOTE: `s3://${bucket}/killed` })).toEqual([]);

    const next = await runCli(['backup', 'run', '--json'], killEnv(s3.endpoint), 120_000);
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    const { id } = JSON.parse(next.stdout) as { id: string };
    expect(await s3.uploadsOnDisk(bucket)).toEqual([]);
    const listed = await listRemote({ KEEPWATCH_BACKUP_REMOTE: `s3://${bucket}/killed` });
    expect(listed.map((b) => b.id)).toEqual([id]);
    // The drill's folder was never touched by the kill or the cleanup.
    expect((await listRemote()).map((b) => b.source)).toEqual(['database', 'data']);
  });
});

describe('retention on an s3:// remote', { timeout: 120_000 }, () => {
  it('removes there what it removed here, keeping the objects a kept snapshot shares', async () => {
    const retained = (extra: Record<string, string> = {}) =>
      env({
        KEEPWATCH_BACKUP_DESTINATION: join(dir, 'retained-backups'),
        KEEPWATCH_BACKUP_REMOTE: `s3://${bucket}/retained`,
        KEEPWATCH_BACKUP_KEEP_LAST: '1',
        ...extra,
      });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const run = await runCli(['backup', 'run', '--source', 'data', '--json'], retained(), 60_000);
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout) as { id: string; retention: { removed: string[] } };
      expect(result.retention.removed).toEqual(ids);
      ids.push(result.id);
      // Snapshot ids are to the second: the next one must not share this one's.
      await new Promise((resolve) => setTimeout(resolve, 1100));
    }
    await rm(join(dir, 'retained-backups'), { recursive: true, force: true });
    expect((await listRemote({ KEEPWATCH_BACKUP_REMOTE: `s3://${bucket}/retained` })).map((b) => b.id)).toEqual([
      ids[1],
    ]);
    const verify = await runCli(['backup', 'verify', ids[1]!], retained());
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(new RegExp(`snapshot ${ids[1]} is good`));
  });
});

describe('keepwatch config check with an s3:// remote', () => {
  it('shows where the key pair came from and never the secret', async () => {
    const text = await runCli(['config', 'check'], env());
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^backup\.remote_secret_access_key\s+\[redacted\]\s+AWS_SECRET_ACCESS_KEY$/m);
    expect(text.stdout).toMatch(/^backup\.remote_access_key_id\s+S3RVER\s+AWS_ACCESS_KEY_ID$/m);
    const json = await runCli(['config', 'check', '--json'], env());
    expect(json.code).toBe(0);
    expect(json.stdout).not.toContain(SECRET);
    expect(text.stdout).not.toContain(SECRET);

    const refused = await runCli(['config', 'check'], { ...env(), AWS_SECRET_ACCESS_KEY: '' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /\[backup\] remote_secret_access_key: must be set with an s3:\/\/ \[backup\] remote/,
    );
  });
});
