import { mkdir, mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirError, SecretFileError, ensureDataDir, loadOrCreateSecret } from '../src/index.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kw-datadir-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ensureDataDir', () => {
  it('creates a missing data directory with mode 0700', async () => {
    const dir = join(root, 'nested', 'data');
    await ensureDataDir(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    await ensureDataDir(dir);
  });

  it('refuses a path that is a file', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'x');
    const error = await ensureDataDir(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('[data] dir');
  });
});

describe('loadOrCreateSecret', () => {
  it('generates .secret once (0600, at least 256 bits) and reuses it', async () => {
    const dir = join(root, 'fresh');
    await ensureDataDir(dir);
    const first = await loadOrCreateSecret(dir);
    expect(first.source).toBe('generated');
    expect(Buffer.from(first.secret, 'base64url').length * 8).toBeGreaterThanOrEqual(256);
    const info = await stat(join(dir, '.secret'));
    expect(info.mode & 0o777).toBe(0o600);
    const second = await loadOrCreateSecret(dir);
    expect(second).toEqual({ secret: first.secret, source: 'file', warnings: [] });
    expect((await readFile(join(dir, '.secret'), 'utf8')).trim()).toBe(first.secret);
  });

  it('gives processes that start together one secret', async () => {
    const dir = join(root, 'race');
    await ensureDataDir(dir);
    const results = await Promise.all(Array.from({ length: 20 }, () => loadOrCreateSecret(dir)));
    expect(new Set(results.map((r) => r.secret)).size).toBe(1);
    expect(results.filter((r) => r.source === 'generated')).toHaveLength(1);
  });

  it('uses the configured secret and writes no file', async () => {
    const dir = join(root, 'configured');
    await ensureDataDir(dir);
    const result = await loadOrCreateSecret(dir, 'c'.repeat(40));
    expect(result).toEqual({ secret: 'c'.repeat(40), source: 'config', warnings: [] });
    await expect(stat(join(dir, '.secret'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('never replaces an empty .secret', async () => {
    const dir = join(root, 'empty');
    await ensureDataDir(dir);
    await writeFile(join(dir, '.secret'), '\n', { mode: 0o600 });
    const error = await loadOrCreateSecret(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretFileError);
    expect((error as SecretFileError).code).toBe('KW_SECRET_EMPTY');
    expect((error as Error).message).toMatch(/is empty; keepwatch will not replace it/);
    expect(await readFile(join(dir, '.secret'), 'utf8')).toBe('\n');
  });

  it('never replaces an unreadable .secret', async () => {
    const dir = join(root, 'unreadable');
    await ensureDataDir(dir);
    // A directory where the file should be cannot be read, even by root.
    await mkdir(join(dir, '.secret'));
    const error = await loadOrCreateSecret(dir).catch((e: unknown) => e);
    expect((error as SecretFileError).code).toBe('KW_SECRET_UNREADABLE');
    expect((await stat(join(dir, '.secret'))).isDirectory()).toBe(true);
  });

  it('tightens a .secret that others can read, and says so', async () => {
    const dir = join(root, 'loose');
    await ensureDataDir(dir);
    await writeFile(join(dir, '.secret'), 'loose-secret-value\n');
    await chmod(join(dir, '.secret'), 0o644);
    const result = await loadOrCreateSecret(dir);
    expect(result.secret).toBe('loose-secret-value');
    expect(result.warnings[0]).toMatch(/mode 644\); its mode is now 600/);
    expect((await stat(join(dir, '.secret'))).mode & 0o777).toBe(0o600);
  });
});
