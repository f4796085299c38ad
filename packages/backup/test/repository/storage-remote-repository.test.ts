import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createPgDatabase, type TestPgDatabase } from '@keepwatch/test-support/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresSource } from '../../src/index.js';
import { createPostgresScratch } from '../../src/databases/pg-restore-target.js';
import { dumpKind, snapshotKind } from '../../src/kinds/index.js';
import { storageRemote } from '../../src/remote/index.js';
import {
  createBackupRepository,
  type BackupRepository,
  type BackupRepositoryOptions,
  type RepositoryRunResult,
} from '../../src/repository/index.js';
import { localStorage } from '../../src/storage/index.js';
import { allFiles, tempDir } from '../helpers/files.js';
import { pgFingerprint } from '../helpers/postgres.js';
import { defaultSelection, listTree, makeDataDir, treeDifferences } from '../snapshot/tree-fixture.js';

const ids = (list: { id: string }[]): string[] => list.map((e) => e.id);

/**
 * The same repository over a remote kept as objects (`storageRemote`), here a local directory:
 * the remote keeps a snapshot as content-addressed objects plus an index, so it has no summary
 * file to read, and the repository must list, verify and restore from it all the same.
 */
describe('one repository with storageRemote(localStorage) as the remote', { timeout: 240_000 }, () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let db: TestPgDatabase;
  let dataDir: string;
  let options: BackupRepositoryOptions;
  let repo: BackupRepository;
  const databases: TestPgDatabase[] = [];
  const runs: Record<'database' | 'data', RepositoryRunResult[]> = { database: [], data: [] };

  beforeAll(async () => {
    work = await tempDir('kw-repository-storage');
    db = await createPgDatabase('kw_repository_storage');
    await db.sql(
      `CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 500) g`,
    );
    dataDir = join(work.path, 'data');
    makeDataDir(dataDir, 40);
    options = {
      destinationDir: join(work.path, 'backups'),
      kinds: {
        database: dumpKind({
          source: postgresSource({ url: db.url }),
          scratch: () => createPostgresScratch({ url: db.url }),
        }),
        data: snapshotKind({ sourceDir: dataDir }),
      },
      retention: { keepLast: 1 },
      remote: storageRemote(localStorage({ directory: join(work.path, 'remote') })),
    };
    repo = createBackupRepository(options);
    for (let i = 0; i < 2; i++) {
      runs.database.push(await repo.run('database'));
      runs.data.push(await repo.run('data'));
    }
  }, 120_000);

  afterAll(async () => {
    for (const d of databases) await d.drop().catch(() => {});
    await db?.drop();
    await work?.remove();
  });

  it('copies each run there and removes there what retention removes here', async () => {
    expect(runs.database[1]!.retention.removed).toEqual([runs.database[0]!.id]);
    expect(runs.data[1]!.retention.removed).toEqual([runs.data[0]!.id]);
    const local = await repo.list();
    expect(ids(local).sort()).toEqual([runs.database[1]!.id, runs.data[1]!.id].sort());
    const remote = await repo.list({ remote: true });
    expect(remote.map((e) => [e.id, e.type, e.location])).toEqual(local.map((e) => [e.id, e.type, 'remote']));
    // A snapshot there is known from the remote's listing: its id, and the bytes of the pushed
    // directory (the tree, plus its index and summary).
    const snapshot = remote.find((e) => e.type === 'snapshot')!;
    expect(snapshot.storedBytes).toBeGreaterThan(runs.data[1]!.storedBytes);
    expect(snapshot.storedBytes).toBeLessThan(runs.data[1]!.storedBytes + 64 * 1024);
    // Its start from the id, to the second.
    expect(Math.abs(Date.parse(snapshot.startedAt) - Date.parse(runs.data[1]!.startedAt))).toBeLessThan(2000);
  });

  it('verifies and restores both kinds from the remote alone', async () => {
    const fresh = join(work.path, 'new-machine');
    const other = createBackupRepository({ ...options, destinationDir: fresh });
    const [dumpId, dataId] = [runs.database[1]!.id, runs.data[1]!.id];
    expect(await other.verify(dumpId, { restoreTest: true })).toMatchObject({ ok: true, from: 'remote' });
    expect(await other.verify(dataId)).toMatchObject({ ok: true, from: 'remote' });
    const target = await createPgDatabase('kw_repository_storage_restore');
    databases.push(target);
    expect(await other.restore(dumpId, target.url)).toMatchObject({ type: 'dump', from: 'remote' });
    expect(await pgFingerprint(target.name)).toEqual(await pgFingerprint(db.name));
    const into = join(work.path, 'restored');
    expect(await other.restore(dataId, into)).toMatchObject({ type: 'snapshot', from: 'remote' });
    expect(treeDifferences(defaultSelection(listTree(dataDir)), listTree(into))).toEqual([]);
    expect(await allFiles(fresh)).toEqual([]);
  });

  it('removes the scratch folder a killed fetch on this machine left, and no other', async () => {
    const fresh = join(work.path, 'after-a-kill');
    const other = createBackupRepository({ ...options, destinationDir: fresh });
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
      mkdirSync(join(fresh, name, 'database'), { recursive: true });
      writeFileSync(join(fresh, name, 'database', 'half.pgdump.zst'), 'half a fetch');
    }
    expect(await other.verify(runs.data[1]!.id)).toMatchObject({ ok: true, from: 'remote' });
    // The dead process's folder on this host went; a live pid's and another host's stay; its own went too.
    expect(readdirSync(fresh).sort()).toEqual(names.slice(1).sort());
  });

  it('deletes nothing when the remote cannot be written', async () => {
    const blocked = join(work.path, 'not-a-directory');
    writeFileSync(blocked, 'a file where the remote directory should be');
    const failing = createBackupRepository({
      ...options,
      remote: storageRemote(localStorage({ directory: join(blocked, 'remote') })),
    });
    const before = ids(await repo.list());
    await expect(failing.run('database')).rejects.toThrow();
    await expect(failing.run('data')).rejects.toThrow();
    const after = ids(await repo.list());
    expect(after).toHaveLength(before.length + 2);
    expect(after).toEqual(expect.arrayContaining(before));
  });
});
