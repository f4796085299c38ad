import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDestination } from '../../src/index.js';
import { createBackupId } from '../../src/catalog/backup-id.js';
import { localStorage } from '../../src/storage/index.js';
import { allFiles, tempDir } from '../helpers/files.js';
import { manifestFor } from '../helpers/destination-conformance.js';
import { describeStorage } from '../helpers/storage-conformance.js';

/** Hidden files under `dir`: what unfinished writes leave. */
const temporaries = async (dir: string): Promise<string[]> =>
  (await allFiles(dir)).filter((path) => basename(path).startsWith('.'));

describeStorage('local directory', async () => {
  const work = await tempDir('kw-storage-local');
  return {
    async open(name) {
      const options = { directory: join(work.path, name) };
      return {
        storage: localStorage(options),
        spec: { kind: 'local', options },
        leftovers: () => temporaries(options.directory),
      };
    },
    stop: () => work.remove(),
  };
});

describe('local storage over a directory localDestination wrote', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    work = await tempDir('kw-storage-local-compat');
  });
  afterAll(() => work?.remove());

  it('lists and reads existing backups as they are; their leftovers are not listed, and are cleaned up', async () => {
    const destination = localDestination({ directory: work.path });
    const id = createBackupId('database', new Date('2026-11-25T03:15:00Z'));
    const writer = await destination.createWriter(id, `${id}.pgdump.zst`);
    await pipeline(Readable.from(['a dump of yesterday']), writer.stream);
    await writer.commit();
    await destination.writeManifest(manifestFor(id, 'database', `${id}.pgdump.zst`, 'a dump of yesterday'));
    // A backup killed mid-write, as today's destination leaves it, an hour ago.
    const leftover = join(work.path, 'database/2026-11-25', `.database-20261125T041500Z-zzzzzz.pgdump.zst.partial`);
    await mkdir(join(work.path, 'database/2026-11-25'), { recursive: true });
    await writeFile(leftover, 'half');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(leftover, anHourAgo, anHourAgo);

    const storage = localStorage({ directory: work.path });
    expect((await storage.list('database/')).map((o) => o.key)).toEqual([
      `database/2026-11-25/${id}.manifest.json`,
      `database/2026-11-25/${id}.pgdump.zst`,
    ]);
    expect(await text(await storage.read(`database/2026-11-25/${id}.pgdump.zst`))).toBe('a dump of yesterday');
    expect(JSON.parse(await text(await storage.read(`database/2026-11-25/${id}.manifest.json`)))).toMatchObject({ id });

    expect(await storage.cleanupIncompleteUploads(new Date(Date.now() - 7_200_000))).toEqual([]);
    expect(await storage.cleanupIncompleteUploads(new Date())).toEqual([
      'database/2026-11-25/.database-20261125T041500Z-zzzzzz.pgdump.zst.partial',
    ]);
    // And what the storage writes, the destination reads: same layout, same modes.
    await storage.write(`database/2026-11-25/${id}.pgdump.zst`, Readable.from(['rewritten']));
    expect(await text(await destination.openFile(await destination.readManifest(id)))).toBe('rewritten');
  });
});
