import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupAbortedError, BackupOptionsError, BackupToolMissingError } from '../../src/errors.js';
import {
  archiveSnapshot,
  extractArchive,
  restoreSnapshot,
  SnapshotCorruptError,
  SnapshotExistsError,
  SnapshotInvalidError,
  SnapshotTargetNotEmptyError,
  takeSnapshot,
  verifySnapshot,
} from '../../src/snapshot/index.js';
import { tempDir } from '../helpers/files.js';
import { defaultSelection, listTree, makeDataDir, treeDifferences } from './tree-fixture.js';

describe('snapshot integrity, archives and targets', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let source: string;
  let destination: string;
  let files: string[];

  beforeAll(async () => {
    work = await tempDir('kw-snapshot-integrity');
    source = join(work.path, 'data');
    destination = join(work.path, 'snapshots');
    ({ files } = makeDataDir(source, 160));
  });

  afterAll(async () => {
    await work?.remove();
  });

  it('round-trips through a tar + zstd archive: extract, verify, restore byte-identical', async () => {
    const expected = defaultSelection(listTree(source));
    const base = await takeSnapshot({ sourceDir: source, destinationDir: destination, id: 'arch-base' });
    writeFileSync(join(source, 'media/added.txt'), 'after the base\n');
    const expectedNext = defaultSelection(listTree(source));
    const next = await takeSnapshot({
      sourceDir: source,
      destinationDir: destination,
      id: 'arch-next',
      previous: base.path,
    });
    expect(next.filesCopied).toBe(1);

    const archive = await archiveSnapshot(next.path, join(work.path, 'arch-next.tar.zst'));
    expect(statSync(archive.path).size).toBe(archive.bytes);
    expect(execFileSync('sha256sum', [archive.path], { encoding: 'utf8' }).slice(0, 64)).toBe(archive.sha256);
    // A standard tar + zstd can read it, too.
    const listing = execFileSync('sh', ['-c', `zstd -dc '${archive.path}' | tar -t`], { encoding: 'utf8' });
    expect(listing).toMatch(/^tree\/\.secret$/m);

    const extracted = join(work.path, 'extracted');
    const summary = await extractArchive(archive.path, extracted);
    expect(summary.id).toBe('arch-next');
    expect((await verifySnapshot(extracted)).problems).toEqual([]);
    const target = join(work.path, 'from-archive');
    await restoreSnapshot({ snapshotDir: extracted, targetDir: target });
    expect(treeDifferences(expectedNext, listTree(target))).toEqual([]);
    expect(expectedNext.size).toBe(expected.size + 1);
    expect(readdirSync(work.path).filter((n) => n.includes('.partial') || n.includes('.restore-'))).toEqual([]);
  });

  it('finds damage: a changed, a missing and an unknown file; restore refuses and leaves the target alone', async () => {
    const snap = await takeSnapshot({ sourceDir: source, destinationDir: destination, id: 'damaged' });
    const tree = join(snap.path, 'tree');
    writeFileSync(join(tree, files[3]!), 'bit rot');
    unlinkSync(join(tree, files[4]!));
    writeFileSync(join(tree, 'media/stowaway'), 'not from the source');

    const report = await verifySnapshot(snap.path);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => [p.path, p.problem.split(' ')[0]])).toEqual(
      [
        [files[3]!, 'has'],
        [files[4]!, 'is'],
        ['media/stowaway', 'is'],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );

    const target = join(work.path, 'keep-me');
    mkdirSync(target);
    writeFileSync(join(target, 'precious.txt'), 'still here');
    unlinkSync(join(tree, 'media/stowaway'));
    writeFileSync(join(tree, files[4]!), 'x'); // present again, wrong content
    const error = await restoreSnapshot({ snapshotDir: snap.path, targetDir: target, clean: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SnapshotCorruptError);
    expect((error as SnapshotCorruptError).problems.map((p) => p.path).sort()).toEqual([files[3]!, files[4]!].sort());
    expect(readdirSync(target)).toEqual(['precious.txt']);
  });

  it('notices a changed index and a directory that is not a snapshot', async () => {
    const snap = await takeSnapshot({ sourceDir: source, destinationDir: destination, id: 'bad-index' });
    writeFileSync(join(snap.path, 'index.ndjson'), '{"path":"x"}\n');
    await expect(verifySnapshot(snap.path)).rejects.toThrow(SnapshotInvalidError);
    await expect(verifySnapshot(source)).rejects.toThrow(/is not a readable snapshot/);
  });

  it('copies everything, and says no previous, when the previous snapshot cannot be read', async () => {
    const warnings: string[] = [];
    const logger = {
      debug() {},
      info() {},
      error() {},
      warn: (_: object, msg?: string) => void warnings.push(msg ?? ''),
    };
    const snap = await takeSnapshot({
      sourceDir: source,
      destinationDir: destination,
      id: 'no-usable-previous',
      previous: source,
      logger,
    });
    expect(snap.previous).toBeNull();
    expect(snap.filesLinked).toBe(0);
    expect(snap.filesCopied).toBe(snap.files);
    expect(warnings).toEqual(['snapshot: previous snapshot unreadable, copying every file']);
  });

  it('never snapshots its own destination when it lies inside the data directory', async () => {
    const inner = join(source, 'media/backups');
    const one = await takeSnapshot({ sourceDir: source, destinationDir: inner, id: 'inner-1' });
    const two = await takeSnapshot({ sourceDir: source, destinationDir: inner, id: 'inner-2', previous: 'inner-1' });
    expect(two.files).toBe(one.files);
    expect(existsSync(join(two.path, 'tree/media/backups'))).toBe(false);
    rmSync(inner, { recursive: true });
  });

  it('never snapshots its own destination when its name inside the data directory starts with ".."', async () => {
    const inner = join(source, '..snapshots');
    const one = await takeSnapshot({ sourceDir: source, destinationDir: inner, id: 'dotted-1', include: ['**'] });
    const two = await takeSnapshot({ sourceDir: source, destinationDir: inner, id: 'dotted-2', include: ['**'] });
    expect(two.files).toBe(one.files);
    expect(existsSync(join(two.path, 'tree/..snapshots'))).toBe(false);
    rmSync(inner, { recursive: true });
  });

  it('refuses a non-empty target without clean, and replaces it with clean', async () => {
    const snap = await takeSnapshot({ sourceDir: source, destinationDir: destination, id: 'targets' });
    const target = join(work.path, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'old.txt'), 'old');
    await expect(restoreSnapshot({ snapshotDir: snap.path, targetDir: target })).rejects.toThrow(
      SnapshotTargetNotEmptyError,
    );
    expect(readdirSync(target)).toEqual(['old.txt']);
    await restoreSnapshot({ snapshotDir: snap.path, targetDir: target, clean: true });
    expect(existsSync(join(target, 'old.txt'))).toBe(false);
    expect(treeDifferences(defaultSelection(listTree(source)), listTree(target))).toEqual([]);
    // An empty directory is fine without clean.
    const empty = join(work.path, 'empty-target');
    mkdirSync(empty);
    await restoreSnapshot({ snapshotDir: snap.path, targetDir: empty });
    expect(existsSync(join(empty, '.secret'))).toBe(true);
  });

  it('takes what include and exclude say, with gitignore-style names', async () => {
    const snap = await takeSnapshot({
      sourceDir: source,
      destinationDir: destination,
      id: 'filtered',
      include: ['media/**', 'profiles/**', '*.tmp'],
      // Rooted (has a slash) and by name at any depth (no slash).
      exclude: ['media/d000/s1/**', 's2', 'cache/**'],
    });
    const paths = [...listTree(join(snap.path, 'tree')).keys()].filter((p) => p !== '').sort();
    expect(paths).toContain('profiles/2026/cpu.cpuprofile');
    expect(paths).toContain('media/upload.tmp');
    expect(paths).toContain('media/d000/s0/f00000.bin');
    expect(paths.filter((p) => p.startsWith('media/d000/s1'))).toEqual([]);
    expect(paths.filter((p) => p.includes('/s2'))).toEqual([]);
    expect(paths).toContain('media/d000/s3/f00150.bin');
    expect(paths.filter((p) => p.startsWith('cache'))).toEqual([]);
    expect(paths).not.toContain('.secret');
  });

  it('refuses an id that exists, bad options (all listed), and removes a cancelled snapshot', async () => {
    await takeSnapshot({ sourceDir: source, destinationDir: destination, id: 'twice' });
    await expect(takeSnapshot({ sourceDir: source, destinationDir: destination, id: 'twice' })).rejects.toThrow(
      SnapshotExistsError,
    );
    const bad = await takeSnapshot({
      sourceDir: 'relative',
      destinationDir: destination,
      id: '../up',
      concurrency: 0,
    }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BackupOptionsError);
    expect((bad as Error).message).toMatch(/sourceDir: must be an absolute path/);
    expect((bad as Error).message).toMatch(/id: must be/);
    expect((bad as Error).message).toMatch(/concurrency:/);

    const controller = new AbortController();
    const cancelled = takeSnapshot({
      sourceDir: source,
      destinationDir: destination,
      id: 'cancelled',
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.entriesDone > 5) controller.abort();
      },
    });
    await expect(cancelled).rejects.toThrow(BackupAbortedError);
    expect(readdirSync(destination).filter((n) => n.includes('cancelled'))).toEqual([]);
  });

  it('names the zstd option when the tool is missing', async () => {
    const snap = await takeSnapshot({ sourceDir: source, destinationDir: destination, id: 'no-zstd' });
    const out = join(work.path, 'no-zstd.tar.zst');
    await expect(archiveSnapshot(snap.path, out, { zstdPath: '/nonexistent/zstd' })).rejects.toThrow(
      BackupToolMissingError,
    );
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });
});
