import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataDir } from '@keepwatch/test-support/data-dir';
import { freePort } from '@keepwatch/test-support/net';
import { PG_URL as PG, pgAdmin } from '@keepwatch/test-support/postgres';
import { runCli } from './helpers/run-cli.js';

const suffix = randomBytes(4).toString('hex');
const database = `kw_cli_prune_${suffix}`;
let dir: string;

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    KEEPWATCH_DATABASE_URL: `${PG}/${database}`,
    KEEPWATCH_REDIS_URL: 'redis://127.0.0.1:6379/0',
    KEEPWATCH_REDIS_PREFIX: `kw-test-cli-prune-${suffix}:`,
    KEEPWATCH_DATA_DIR: join(dir, 'data'),
    KEEPWATCH_BACKUP_DESTINATION: join(dir, 'backups'),
    ...extra,
  };
}

interface Listed {
  id: string;
  source: string;
}
interface Pruned {
  source: string;
  dryRun: boolean;
  kept: { id: string; reasons: string[] }[];
  removed: string[];
}

async function ids(source: string): Promise<string[]> {
  const list = await runCli(['backup', 'list', '--source', source, '--json'], env());
  expect(list.code).toBe(0);
  return (JSON.parse(list.stdout) as Listed[]).map((b) => b.id);
}

async function backUp(source: string, extra: Record<string, string> = {}): Promise<string> {
  const run = await runCli(['backup', 'run', '--source', source, '--json'], env(extra), 60_000);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as Listed).id;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-cli-prune-'));
  makeDataDir(join(dir, 'data'), 10);
  await pgAdmin((c) => c.query(`CREATE DATABASE ${database}`));
}, 30_000);

afterAll(async () => {
  await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 30_000);

describe('keepwatch backup prune', { timeout: 120_000 }, () => {
  const data: string[] = [];
  const dumps: string[] = [];

  it('keeps everything by default (no keep_* set)', async () => {
    for (let i = 0; i < 3; i++) {
      data.push(await backUp('data'));
      dumps.push(await backUp('database'));
      await writeFile(join(dir, 'data', 'media', 'avatars', 'file-0.bin'), `round ${i}`);
    }
    const result = await runCli(['backup', 'prune', '--json'], env());
    expect(result.code).toBe(0);
    const outcomes = JSON.parse(result.stdout) as Pruned[];
    expect(outcomes.map((o) => [o.source, o.removed])).toEqual([
      ['database', []],
      ['data', []],
    ]);
    expect(outcomes[1]!.kept.map((k) => k.reasons)).toEqual([['no-policy'], ['no-policy'], ['no-policy']]);
  });

  it('refuses to prune without the lock when Redis is configured but unreachable, and removes nothing', async () => {
    const redisUrl = `redis://127.0.0.1:${await freePort()}/0`;
    const result = await runCli(
      ['backup', 'prune', '--json'],
      env({ KEEPWATCH_REDIS_URL: redisUrl, KEEPWATCH_BACKUP_KEEP_LAST: '1' }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot reach Redis \(\[redis\] url\) within 5000 ms to take the backup lock/);
    expect(result.stderr).not.toContain(redisUrl);
    expect(await ids('data')).toEqual(data);
    expect(await ids('database')).toEqual(dumps);
  });

  it('with keep_last=1, --dry-run names what would go and removes nothing', async () => {
    // A snapshot being written (older than all others) must never be touched.
    const partial = join(dir, 'backups', 'data', '.data-20200101T000000Z-zzzzzz.partial');
    mkdirSync(partial);
    const dry = await runCli(['backup', 'prune', '--dry-run'], env({ KEEPWATCH_BACKUP_KEEP_LAST: '1' }));
    expect(dry.code).toBe(0);
    for (const id of [...data.slice(0, 2), ...dumps.slice(0, 2)])
      expect(dry.stdout).toMatch(new RegExp(`^\\S+\\s+${id}\\s+would remove`, 'm'));
    expect(dry.stdout).toMatch(new RegExp(`^data\\s+${data[2]}\\s+keep\\s+last, newest$`, 'm'));
    expect(dry.stdout).toMatch(/dry run: nothing was removed/);
    expect(await ids('data')).toEqual(data);
    expect(await ids('database')).toEqual(dumps);

    const json = JSON.parse(
      (
        await runCli(
          ['backup', 'prune', '--source', 'data', '--dry-run', '--json'],
          env({ KEEPWATCH_BACKUP_KEEP_LAST: '1' }),
        )
      ).stdout,
    ) as Pruned[];
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ source: 'data', dryRun: true, removed: data.slice(0, 2) });
    expect(json[0]!.kept).toContainEqual({ id: 'data-20200101T000000Z-zzzzzz', reasons: ['in-progress'] });
    expect(existsSync(partial)).toBe(true);
  });

  it('with keep_last=1 removes the older backups of both kinds, never the newest or one in progress', async () => {
    const result = await runCli(['backup', 'prune', '--json'], env({ KEEPWATCH_BACKUP_KEEP_LAST: '1' }));
    expect(result.code).toBe(0);
    const outcomes = JSON.parse(result.stdout) as Pruned[];
    expect(outcomes.map((o) => [o.source, o.removed])).toEqual([
      ['database', dumps.slice(0, 2)],
      ['data', data.slice(0, 2)],
    ]);
    expect(await ids('data')).toEqual([data[2]]);
    expect(await ids('database')).toEqual([dumps[2]]);
    expect(existsSync(join(dir, 'backups', 'data', '.data-20200101T000000Z-zzzzzz.partial'))).toBe(true);
    // The survivor still restores: older snapshots going never breaks a newer one.
    const verify = await runCli(['backup', 'verify', data[2]!], env());
    expect(verify.code).toBe(0);
  });

  it('applies retention after every backup run', async () => {
    const newest = await backUp('data', { KEEPWATCH_BACKUP_KEEP_LAST: '1' });
    expect(await ids('data')).toEqual([newest]);
  });
});
