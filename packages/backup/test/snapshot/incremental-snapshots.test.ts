import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreSnapshot, takeSnapshot, verifySnapshot, type SnapshotResult } from '../../src/snapshot/index.js';
import { tempDir } from '../helpers/files.js';
import { defaultSelection, listTree, makeDataDir, treeDifferences, type ListedEntry } from './tree-fixture.js';

/*
 * The proof: a data directory of 10 000 files, a first snapshot, a second of the
 * unchanged tree, a third after 10 files changed; the second and third copy only what changed,
 * and each restores byte-identical with modes, mtimes and symlinks, also after the older
 * snapshots are deleted.
 */
describe('incremental snapshots of a 10 000-file data directory', { timeout: 240_000 }, () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let source: string;
  let destination: string;
  let files: string[];
  const taken: { result: SnapshotResult; expected: Map<string, ListedEntry> }[] = [];

  beforeAll(async () => {
    work = await tempDir('kw-snapshot-incremental');
    source = join(work.path, 'data');
    destination = join(work.path, 'snapshots');
    ({ files } = makeDataDir(source, 10_000));
  }, 120_000);

  afterAll(async () => {
    await work?.remove();
  });

  const snapshot = async (id: string, previous?: string): Promise<SnapshotResult> => {
    const expected = defaultSelection(listTree(source));
    const result = await takeSnapshot({ sourceDir: source, destinationDir: destination, id, previous });
    taken.push({ result, expected });
    return result;
  };

  it('copies every file the first time and leaves out profiles/, cache/, *.tmp and the FIFO', async () => {
    const first = await snapshot('first');
    expect(first.files).toBe(10_002); // 10 000 media files, media/private/note.txt and .secret
    expect(first.filesCopied).toBe(10_002);
    expect(first.filesLinked).toBe(0);
    expect(first.symlinks).toBe(2);
    expect(first.skipped).toBe(1);
    expect(first.bytesCopied).toBe(first.bytesTotal);
    expect(first.bytesTotal).toBeGreaterThan(5_000_000);
    const tree = listTree(join(first.path, 'tree'));
    expect([...tree.keys()].filter((p) => /^(profiles|cache)|\.tmp$|pipe$/.test(p))).toEqual([]);
    expect(statSync(join(first.path, 'tree/.secret')).mode & 0o777).toBe(0o600);
    expect(statSync(first.path).mode & 0o777).toBe(0o700);
  });

  it('copies no content for an unchanged tree: every file is a hard link to the first snapshot', async () => {
    const second = await snapshot('second', 'first');
    expect(second.filesCopied).toBe(0);
    expect(second.bytesCopied).toBe(0);
    expect(second.filesLinked).toBe(10_002);
    expect(second.previous).toBe('first');
    const sample = files[1234]!;
    expect(statSync(join(second.path, 'tree', sample)).ino).toBe(
      statSync(join(taken[0]!.result.path, 'tree', sample)).ino,
    );
  });

  it('copies only the 10 changed files the third time', async () => {
    const changed = [files[5]!, files[6]!, files[7]!, files[500]!, files[9999]!];
    for (const path of changed) writeFileSync(join(source, path), randomBytes(3000));
    // Same size, new content and mtime.
    const sameSize = files[42]!;
    writeFileSync(join(source, sameSize), randomBytes(statSync(join(source, sameSize)).size));
    appendFileSync(join(source, files[43]!), 'more');
    // Only the mode changes: the content is copied again so the old snapshot keeps its mode.
    chmodSync(join(source, files[44]!), 0o400);
    // Only the mtime changes.
    utimesSync(join(source, files[45]!), new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
    writeFileSync(join(source, 'media/new-upload.bin'), randomBytes(777), { mode: 0o640 });
    unlinkSync(join(source, files[46]!));
    const expectedBytes = [...changed, sameSize, files[43]!, files[44]!, files[45]!, 'media/new-upload.bin'].reduce(
      (sum, path) => sum + statSync(join(source, path)).size,
      0,
    );

    const third = await snapshot('third', 'second');
    expect(third.filesCopied).toBe(10);
    expect(third.bytesCopied).toBe(expectedBytes);
    // 9 changed and 1 deleted of the 10 002, 1 new.
    expect(third.filesLinked).toBe(10_002 - 9 - 1);
    expect(third.files).toBe(10_002);
  });

  it('restores each snapshot byte-identical with modes, mtimes and symlinks', async () => {
    expect(taken).toHaveLength(3);
    for (const { result, expected } of taken) {
      const target = join(work.path, `restored-${result.id}`);
      const report = await restoreSnapshot({ snapshotDir: result.path, targetDir: target });
      expect(report.files).toBe(result.files);
      expect(treeDifferences(expected, listTree(target)), result.id).toEqual([]);
      expect(statSync(join(target, '.secret')).mode & 0o777).toBe(0o600);
    }
  });

  it('restores the newest on its own after the older snapshots are deleted, and it verifies', async () => {
    rmSync(taken[0]!.result.path, { recursive: true });
    rmSync(taken[1]!.result.path, { recursive: true });
    const third = taken[2]!;
    expect((await verifySnapshot(third.result.path)).problems).toEqual([]);
    const target = join(work.path, 'restored-alone');
    await restoreSnapshot({ snapshotDir: third.result.path, targetDir: target });
    expect(treeDifferences(third.expected, listTree(target))).toEqual([]);
  });
});
