import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  catalogOldestFirst,
  listBackupCatalog,
  localDestination,
  takeSnapshot,
  type Destination,
} from '../src/index.js';
import { createBackupId } from '../src/catalog/backup-id.js';
import { manifestFor } from './helpers/destination-conformance.js';
import { tempDir } from './helpers/files.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
let destination: Destination;
let snapshotsDirectory: string;
const ids: string[] = [];

/** A committed database backup whose manifest says it finished at `finishedAt`. */
async function storeDump(finishedAt: Date): Promise<string> {
  const id = createBackupId('database', finishedAt);
  const writer = await destination.createWriter(id, `${id}.pgdump`);
  await pipeline(Readable.from(['the dump']), writer.stream);
  await writer.commit();
  await destination.writeManifest({
    ...manifestFor(id, 'database', `${id}.pgdump`, 'the dump'),
    finishedAt: finishedAt.toISOString(),
  });
  return id;
}

beforeAll(async () => {
  dir = await tempDir('kw-backup-catalog');
  destination = localDestination({ directory: join(dir.path, 'backups') });
  snapshotsDirectory = join(dir.path, 'backups', 'data');
  await mkdir(join(dir.path, 'data', 'media'), { recursive: true });
  await writeFile(join(dir.path, 'data', 'media', 'logo.png'), 'not really a png');

  ids.push(await storeDump(new Date(Date.now() - 60_000)));
  ids.push((await takeSnapshot({ sourceDir: join(dir.path, 'data'), destinationDir: snapshotsDirectory })).id);
  ids.push(await storeDump(new Date(Date.now() + 60_000)));
  // One being written by another process: not a backup yet.
  await mkdir(join(snapshotsDirectory, '.data-20200101T000000Z-zzzzzz.partial'));
});

afterAll(async () => {
  await dir?.remove();
});

describe('listBackupCatalog', () => {
  it('lists the database backups and the complete data snapshots, one list oldest first', async () => {
    const catalog = await listBackupCatalog({ destination, snapshotsDirectory });
    expect(catalog.databases.map((m) => m.id)).toEqual([ids[0], ids[2]]);
    expect(catalog.snapshots).toEqual([
      {
        id: ids[1],
        source: 'data',
        kind: 'data',
        finishedAt: expect.stringMatching(/Z$/),
        files: 1,
        bytesTotal: 16,
        path: join(snapshotsDirectory, ids[1]!),
      },
    ]);
    expect(catalogOldestFirst(catalog).map((b) => b.id)).toEqual(ids);
  });

  it('narrows to one source: data for the snapshots, any other name for its dumps', async () => {
    const data = await listBackupCatalog({ destination, snapshotsDirectory, source: 'data' });
    expect(data.databases).toEqual([]);
    expect(data.snapshots.map((s) => s.id)).toEqual([ids[1]]);
    const database = await listBackupCatalog({ destination, snapshotsDirectory, source: 'database' });
    expect(database.databases.map((m) => m.id)).toEqual([ids[0], ids[2]]);
    expect(database.snapshots).toEqual([]);
    const other = await listBackupCatalog({ destination, snapshotsDirectory, source: 'reports' });
    expect(catalogOldestFirst(other)).toEqual([]);
  });
});
