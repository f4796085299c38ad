import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@keepwatch/test-support/net';
import { createPgDatabase, type TestPgDatabase } from '@keepwatch/test-support/postgres';
import { startSshd, type TestSshd } from '@keepwatch/test-support/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackupNotFoundError,
  BackupOptionsError,
  BackupSourceUnknownError,
  RemoteTransferError,
  postgresSource,
  rsyncOverSsh,
  type RemoteDestination,
} from '../../src/index.js';
import { createPostgresScratch } from '../../src/databases/pg-restore-target.js';
import { dumpKind, snapshotKind } from '../../src/kinds/index.js';
import {
  createBackupRepository,
  type BackupRepository,
  type BackupRepositoryOptions,
  type RepositoryRunResult,
} from '../../src/repository/index.js';
import { allFiles, tempDir } from '../helpers/files.js';
import { pgFingerprint } from '../helpers/postgres.js';
import { defaultSelection, listTree, makeDataDir, treeDifferences } from '../snapshot/tree-fixture.js';

const SQL = `
  CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, payload bytea);
  INSERT INTO items (name, payload) SELECT 'item ' || g, decode(md5(g::text), 'hex') FROM generate_series(1, 2000) g;
  CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text);
  INSERT INTO notes (body) SELECT repeat('note ', g % 50) FROM generate_series(1, 300) g;
`;

const ids = (list: { id: string }[]): string[] => list.map((e) => e.id);

describe('one repository over dumps and data snapshots, with a remote over real SSH', { timeout: 300_000 }, () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let db: TestPgDatabase;
  let sshd: TestSshd;
  let remote: RemoteDestination;
  let remoteRoot: string;
  let dataDir: string;
  let destinationDir: string;
  let options: BackupRepositoryOptions;
  let repo: BackupRepository;
  const databases: TestPgDatabase[] = [];
  const runs: Record<'database' | 'data', RepositoryRunResult[]> = { database: [], data: [] };

  beforeAll(async () => {
    work = await tempDir('kw-repository');
    db = await createPgDatabase('kw_repository');
    await db.sql(SQL);
    dataDir = join(work.path, 'data');
    makeDataDir(dataDir, 80);
    sshd = await startSshd(work.path);
    remoteRoot = join(work.path, 'remote-disk/keepwatch');
    remote = rsyncOverSsh({
      host: '127.0.0.1',
      port: sshd.port,
      user: 'root',
      path: remoteRoot,
      identityFile: sshd.identityFile,
      knownHostsFile: sshd.knownHostsFile,
    });
    destinationDir = join(work.path, 'backups');
    options = {
      destinationDir,
      kinds: {
        database: dumpKind({
          source: postgresSource({ url: db.url }),
          scratch: () => createPostgresScratch({ url: db.url }),
        }),
        data: snapshotKind({ sourceDir: dataDir }),
      },
      retention: { keepLast: 2 },
      timeZone: 'Europe/Berlin',
      remote,
    };
    repo = createBackupRepository(options);
    // Three of each: the third run's retention removes the first, here and on the remote.
    for (let i = 0; i < 3; i++) {
      runs.database.push(await repo.run('database'));
      runs.data.push(await repo.run('data'));
    }
  }, 300_000);

  afterAll(async () => {
    for (const d of databases) await d.drop().catch(() => {});
    await db?.drop();
    await sshd?.stop();
    await work?.remove();
  });

  it('runs either kind through one call and returns what the job result and the metrics read', () => {
    const [dump] = runs.database;
    expect(dump).toMatchObject({
      type: 'dump',
      source: 'database',
      kind: 'postgres',
      compression: 'zstd',
      remote: remote.label,
      retention: { source: 'database', type: 'dump', removed: [], remote: remote.label },
    });
    expect(dump!.id).toMatch(/^database-\d{8}T\d{6}Z-[a-z0-9]{6}$/);
    expect(dump!.storedBytes).toBeGreaterThan(0);
    expect(dump!.type === 'dump' && dump!.tables.map((t) => [t.name, t.rows])).toEqual([
      ['items', 2000],
      ['notes', 300],
    ]);

    const [first, second] = runs.data;
    expect(first).toMatchObject({
      type: 'snapshot',
      source: 'data',
      kind: 'data',
      previous: null,
      remote: remote.label,
    });
    expect(first!.id).toMatch(/^data-\d{8}T\d{6}Z-[a-z0-9]{6}$/);
    // Nothing changed between runs: the second links every file, and its size is still the tree's.
    expect(second).toMatchObject({ type: 'snapshot', previous: first!.id, filesCopied: 0, bytesCopied: 0 });
    expect(second!.type === 'snapshot' && second!.filesLinked).toBe(first!.type === 'snapshot' && first!.files);
    expect(second!.storedBytes).toBe(first!.storedBytes);
    for (const r of [...runs.database, ...runs.data])
      expect(Date.parse(r.finishedAt)).toBeGreaterThanOrEqual(Date.parse(r.startedAt));
  });

  it('applies retention after each run, locally and on the remote, in the layout runtime writes', async () => {
    expect(runs.database[2]!.retention.removed).toEqual([runs.database[0]!.id]);
    expect(runs.data[2]!.retention.removed).toEqual([runs.data[0]!.id]);
    const kept = { database: ids(runs.database.slice(1)), data: ids(runs.data.slice(1)) };

    const local = await repo.list();
    expect(ids(local).sort()).toEqual([...kept.database, ...kept.data].sort());
    expect(ids(await repo.list({ source: 'database' }))).toEqual(kept.database);
    expect(ids(await repo.list({ source: 'data' }))).toEqual(kept.data);
    // Oldest first across kinds.
    expect(local.map((e) => e.finishedAt)).toEqual(local.map((e) => e.finishedAt).sort());

    // `<source>/<file>` and `<source>/<id>.manifest.json` for dumps, `data/<id>` for snapshots.
    const dumps = runs.database.slice(1);
    expect(readdirSync(join(remoteRoot, 'database')).sort()).toEqual(
      dumps.flatMap((d) => [d.type === 'dump' ? d.file : '', `${d.id}.manifest.json`]).sort(),
    );
    expect(readdirSync(join(remoteRoot, 'data')).sort()).toEqual(kept.data);
    const dump = dumps[1]!;
    expect(dump.type === 'dump' && readFileSync(join(remoteRoot, 'database', dump.file))).toEqual(
      dump.type === 'dump' && readFileSync(join(destinationDir, 'database', dump.startedAt.slice(0, 10), dump.file)),
    );

    const onRemote = await repo.list({ remote: true });
    expect(onRemote.map((e) => [e.id, e.location])).toEqual(local.map((e) => [e.id, 'remote']));
    for (const [i, entry] of onRemote.entries()) {
      const { location: _remote, path: _path, ...rest } = { path: undefined, ...entry };
      const { location: _local, path: _localPath, ...localRest } = { path: undefined, ...local[i]! };
      expect(rest).toEqual(localRest);
    }
  });

  it('verifies both kinds: a dump by checksum and a restore test, a snapshot by re-hashing', async () => {
    const dumpId = runs.database[2]!.id;
    const dump = await repo.verify(dumpId, { restoreTest: true });
    expect(dump).toMatchObject({ type: 'dump', id: dumpId, ok: true, from: 'local' });
    expect(dump.type === 'dump' && dump.report.restoreTest).toMatchObject({ ok: true, tables: 2, rows: 2300 });

    const dataId = runs.data[2]!.id;
    const snapshot = await repo.verify(dataId);
    expect(snapshot).toMatchObject({ type: 'snapshot', id: dataId, ok: true, from: 'local' });
    expect(snapshot.type === 'snapshot' && snapshot.report.problems).toEqual([]);
    await expect(repo.verify(dataId, { restoreTest: true })).rejects.toThrow(BackupOptionsError);

    // Removed by retention, here and there.
    await expect(repo.verify(runs.database[0]!.id)).rejects.toThrow(BackupNotFoundError);
  });

  it('restores both kinds by id alone: a dump into a database URL, a snapshot into a directory', async () => {
    const target = await createPgDatabase('kw_repository_restore');
    databases.push(target);
    const dump = await repo.restore(runs.database[1]!.id, target.url);
    expect(dump).toMatchObject({ type: 'dump', from: 'local', report: { id: runs.database[1]!.id } });
    expect(await pgFingerprint(target.name)).toEqual(await pgFingerprint(db.name));

    const into = join(work.path, 'restored-local');
    const snapshot = await repo.restore(runs.data[1]!.id, into);
    expect(snapshot).toMatchObject({ type: 'snapshot', from: 'local', report: { targetDir: into } });
    expect(treeDifferences(defaultSelection(listTree(dataDir)), listTree(into))).toEqual([]);
    await expect(repo.restore(runs.data[1]!.id, into)).rejects.toThrow(/not empty/);
  });

  it('on a machine with no local backups, lists, verifies and restores from the remote alone', async () => {
    const fresh = join(work.path, 'new-machine/backups');
    const other = createBackupRepository({ ...options, destinationDir: fresh });
    expect(await other.list()).toEqual([]);
    const listed = await other.list({ remote: true });
    expect(ids(listed)).toEqual(ids(await repo.list()));

    const dumpId = runs.database[2]!.id;
    const dataId = runs.data[2]!.id;
    expect(await other.verify(dumpId, { restoreTest: true })).toMatchObject({ ok: true, from: 'remote' });
    expect(await other.verify(dataId)).toMatchObject({ ok: true, from: 'remote' });

    const target = await createPgDatabase('kw_repository_remote');
    databases.push(target);
    expect(await other.restore(dumpId, target.url)).toMatchObject({ type: 'dump', from: 'remote' });
    expect(await pgFingerprint(target.name)).toEqual(await pgFingerprint(db.name));
    const into = join(work.path, 'restored-remote');
    expect(await other.restore(dataId, into)).toMatchObject({ type: 'snapshot', from: 'remote' });
    expect(treeDifferences(defaultSelection(listTree(dataDir)), listTree(into))).toEqual([]);

    // The copies read from the remote are gone again; nothing became a local backup.
    expect(await allFiles(fresh)).toEqual([]);
    expect(await other.list()).toEqual([]);

    // One flipped byte in the remote's dump file: the checksum read back no longer matches.
    const run = runs.database[2]!;
    const file = join(remoteRoot, 'database', run.type === 'dump' ? run.file : '');
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(file, bytes);
    const damaged = await other.verify(dumpId);
    expect(damaged).toMatchObject({ ok: false, from: 'remote' });
    expect(damaged.type === 'dump' && damaged.report.checksum.ok).toBe(false);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(file, bytes);
  });

  it('deletes nothing, locally or remotely, when the copy to the remote fails', async () => {
    const before = ids(await repo.list());
    const remoteDisk = (): string[] => ['database', 'data'].flatMap((d) => readdirSync(join(remoteRoot, d)));
    const remoteBefore = remoteDisk();
    const unreachable = rsyncOverSsh({
      host: '127.0.0.1',
      port: await freePort(),
      user: 'root',
      path: remoteRoot,
      identityFile: sshd.identityFile,
      knownHostsFile: sshd.knownHostsFile,
    });
    // keepLast 1 would remove every older backup, had the copy succeeded.
    const failing = createBackupRepository({ ...options, remote: unreachable, retention: { keepLast: 1 } });
    for (const source of ['database', 'data']) {
      const error = await failing.run(source).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RemoteTransferError);
      expect((error as Error).message).toMatch(/kept locally/);
    }
    const after = await repo.list();
    expect(after).toHaveLength(before.length + 2);
    expect(ids(after)).toEqual(expect.arrayContaining(before));
    expect(remoteDisk()).toEqual(remoteBefore);

    // The next prune with the real remote brings both sides back to the policy: a dry run first.
    const dry = await repo.prune('database', { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, remote: null });
    expect(dry.removed).toHaveLength(1);
    expect(ids(await repo.list({ source: 'database' }))).toHaveLength(3);
    const pruned = await repo.prune('database');
    expect(pruned).toMatchObject({ dryRun: false, removed: dry.removed, remote: remote.label });
    expect(ids(await repo.list({ source: 'database' }))).toHaveLength(2);
    expect(readdirSync(join(remoteRoot, 'database')).filter((n) => n.startsWith(`${dry.removed[0]}.`))).toEqual([]);
    const data = await repo.prune('data');
    expect(data.removed).toHaveLength(1);
    expect(readdirSync(join(remoteRoot, 'data'))).not.toContain(data.removed[0]);
  });

  it('dispatches by source name and refuses sources it does not know', async () => {
    await expect(repo.run('mysql')).rejects.toThrow(BackupSourceUnknownError);
    await expect(repo.list({ source: 'mysql' })).rejects.toThrow(BackupSourceUnknownError);
    await expect(repo.verify('mysql-20260101T000000Z-abcdef')).rejects.toThrow(BackupSourceUnknownError);

    // A source whose database is no longer configured: its dumps still list, but it cannot run.
    const storedOnly = createBackupRepository({
      ...options,
      kinds: { database: dumpKind({ hint: 'set [database] url' }), data: options.kinds.data! },
    });
    expect([storedOnly.sources, storedOnly.runnable]).toEqual([['database', 'data'], ['data']]);
    expect(ids(await storedOnly.list({ source: 'database' }))).toEqual(ids(await repo.list({ source: 'database' })));
    await expect(storedOnly.run('database')).rejects.toThrow(/not configured \(known: data\): set \[database\] url/);

    expect(() =>
      createBackupRepository({
        destinationDir: join(dataDir, 'backups'),
        dataDirectory: dataDir,
        kinds: { db: dumpKind({ source: postgresSource({ url: db.url }) }), 'Bad Name': options.kinds.data! },
      }),
    ).toThrow(/inside the data directory.*named "database".*"Bad Name" is not a valid source name/);
  });
});
