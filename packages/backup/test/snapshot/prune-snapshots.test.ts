import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupOptionsError } from '../../src/errors.js';
import {
  listSnapshots,
  pruneSnapshots,
  removeSnapshot,
  restoreSnapshot,
  takeSnapshot,
} from '../../src/snapshot/index.js';
import { tempDir } from '../helpers/files.js';
import { defaultSelection, listTree, makeDataDir, treeDifferences } from './tree-fixture.js';

describe('listing and pruning the snapshots of a destination', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let source: string;
  let destination: string;

  beforeAll(async () => {
    work = await tempDir('kw-snapshot-prune');
    source = join(work.path, 'data');
    destination = join(work.path, 'snapshots');
    makeDataDir(source, 40);
    let previous: string | undefined;
    for (const day of ['01', '02', '03', '04']) {
      const id = `data-202601${day}T030000Z-abcdef`;
      await takeSnapshot({ sourceDir: source, destinationDir: destination, id, previous });
      // As if each had been taken on its own day.
      const summaryPath = join(destination, id, 'snapshot.json');
      const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as Record<string, unknown>;
      writeFileSync(summaryPath, JSON.stringify({ ...summary, finishedAt: `2026-01-${day}T03:05:00.000Z` }));
      previous = id;
    }
    mkdirSync(join(destination, '.data-20260105T030000Z-zzzzzz.partial')); // being written by another worker
    mkdirSync(join(destination, 'lost+found')); // not a snapshot
  });

  afterAll(async () => {
    await work?.remove();
  });

  it('lists complete snapshots oldest first and the one in progress, and nothing else', async () => {
    const listed = await listSnapshots(destination);
    expect(listed.map((s) => [s.id, s.state])).toEqual(
      [
        ['data-20260101T030000Z-abcdef', 'complete'],
        ['data-20260102T030000Z-abcdef', 'complete'],
        ['data-20260103T030000Z-abcdef', 'complete'],
        ['data-20260104T030000Z-abcdef', 'complete'],
        ['data-20260105T030000Z-zzzzzz', 'in-progress'],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    expect(listed[0]!.files).toBe(42);
  });

  it('reports without deleting on a dry run, then deletes; the rest still restore and the one in progress stays', async () => {
    const dry = await pruneSnapshots({ destinationDir: destination, policy: { keepLast: 2 }, dryRun: true });
    expect(dry.removed).toEqual(['data-20260101T030000Z-abcdef', 'data-20260102T030000Z-abcdef']);
    expect(readdirSync(destination)).toHaveLength(6);

    const real = await pruneSnapshots({ destinationDir: destination, policy: { keepLast: 2 } });
    expect(real.removed).toEqual(dry.removed);
    expect(real.kept.map((k) => k.id).sort()).toEqual([
      'data-20260103T030000Z-abcdef',
      'data-20260104T030000Z-abcdef',
      'data-20260105T030000Z-zzzzzz',
    ]);
    expect(readdirSync(destination).sort()).toEqual([
      '.data-20260105T030000Z-zzzzzz.partial',
      'data-20260103T030000Z-abcdef',
      'data-20260104T030000Z-abcdef',
      'lost+found',
    ]);
    const target = join(work.path, 'restored');
    await restoreSnapshot({ snapshotDir: join(destination, 'data-20260104T030000Z-abcdef'), targetDir: target });
    expect(treeDifferences(defaultSelection(listTree(source)), listTree(target))).toEqual([]);
  });

  it('refuses to remove by a path instead of an id', async () => {
    await expect(removeSnapshot(destination, '../data')).rejects.toThrow(BackupOptionsError);
  });
});
