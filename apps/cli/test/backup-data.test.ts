import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataDir, selected } from '@keepwatch/test-support/data-dir';
import { runCli } from './helpers/run-cli.js';

const suffix = randomBytes(4).toString('hex');
let dir: string;

function env(): Record<string, string> {
  return {
    KEEPWATCH_REDIS_URL: 'redis://127.0.0.1:6379/0',
    KEEPWATCH_REDIS_PREFIX: `kw-test-cli-data-${suffix}:`,
    KEEPWATCH_DATA_DIR: join(dir, 'data'),
    KEEPWATCH_BACKUP_DESTINATION: join(dir, 'backups'),
  };
}

interface Snapshot {
  id: string;
  bytesCopied: number;
  filesCopied: number;
  filesLinked: number;
}

async function run(): Promise<Snapshot> {
  const result = await runCli(['backup', 'run', '--source', 'data', '--json'], env());
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Snapshot;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-cli-data-'));
  makeDataDir(join(dir, 'data'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('keepwatch backup of the data directory', { timeout: 60_000 }, () => {
  const states: Record<string, string>[] = [];
  const ids: string[] = [];

  it('copies everything once, then nothing, then only the two files that changed', async () => {
    states.push(selected(join(dir, 'data')));
    const first = await run();
    expect(first.filesCopied).toBe(21);
    expect(first.bytesCopied).toBe(64 + Array.from({ length: 20 }, (_, i) => 100 + i * 37).reduce((a, b) => a + b));

    states.push(selected(join(dir, 'data')));
    const second = await run();
    expect(second).toMatchObject({ bytesCopied: 0, filesCopied: 0, filesLinked: 21 });

    await writeFile(join(dir, 'data', 'media', 'avatars', 'file-4.bin'), 'four, changed');
    await writeFile(join(dir, 'data', 'media', 'uploads', 'file-7.bin'), 'seven, changed too');
    states.push(selected(join(dir, 'data')));
    const third = await run();
    expect(third).toMatchObject({ bytesCopied: 13 + 18, filesCopied: 2, filesLinked: 19 });
    ids.push(first.id, second.id, third.id);
  });

  it('lists the snapshots with their kind', async () => {
    const table = await runCli(['backup', 'list'], env());
    expect(table.code).toBe(0);
    for (const id of ids)
      expect(table.stdout).toMatch(new RegExp(`^${id}\\s+data\\s+data\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:]+Z\\s+`, 'm'));
    const json = JSON.parse((await runCli(['backup', 'list', '--json'], env())).stdout) as {
      id: string;
      kind: string;
    }[];
    expect(json.map((b) => [b.id, b.kind])).toEqual(ids.map((id) => [id, 'data']));
  });

  it('restores each snapshot byte-identical, with modes and the symlink, into a fresh directory', async () => {
    for (const [i, id] of ids.entries()) {
      const target = join(dir, `restored-${i}`);
      const restore = await runCli(['backup', 'restore', id, '--target', target], env());
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      expect(selected(target)).toEqual(states[i]);
      expect(selected(target)['.secret']).toMatch(/^file 600 /);
      expect(selected(target)['media/current']).toBe('link avatars/file-0.bin');
    }
  });

  it('refuses a non-empty target without --clean and replaces it with --clean', async () => {
    const target = join(dir, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'keep-me'), 'old');
    const refused = await runCli(['backup', 'restore', ids[0]!, '--target', target], env());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is not empty: .*pass --clean/);
    const cleaned = await runCli(['backup', 'restore', ids[0]!, '--target', target, '--clean'], env());
    expect(cleaned.code).toBe(0);
    expect(selected(target)).toEqual(states[0]);
  });

  it('verifies a snapshot against its index, and fails one whose file was changed', async () => {
    const good = await runCli(['backup', 'verify', ids[2]!], env());
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(new RegExp(`snapshot ${ids[2]} is good`));
    await writeFile(
      join(dir, 'backups', 'data', ids[2]!, 'tree', 'media', 'uploads', 'file-7.bin'),
      'SEVEN, changed too',
    );
    const bad = await runCli(['backup', 'verify', ids[2]!, '--json'], env());
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as { ok: boolean; problems: { path: string }[] };
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.path)).toEqual(['media/uploads/file-7.bin']);
  });
});
