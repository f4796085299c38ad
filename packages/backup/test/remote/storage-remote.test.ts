import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteIntegrityError, type RemoteDestination, storageRemote } from '../../src/remote/index.js';
import { localStorage, s3Storage, type S3StorageOptions, type Storage } from '../../src/storage/index.js';
import { tempDir } from '../helpers/files.js';
import { describeRemote, makeTree } from '../helpers/remote-conformance.js';
import { startS3Server, type TestS3Server } from '../helpers/s3-server.js';
import { listTree, makeDataDir, treeDifferences } from '../snapshot/tree-fixture.js';

const BUCKET = 'kw-test-remote';
// s3rver checks that the access key exists, never the signature: this secret is not verified.
const SECRET = 'kw-test-secret-never-shown';
const MiB = 1024 * 1024;

const s3Options = (server: TestS3Server, prefix: string): S3StorageOptions => ({
  bucket: BUCKET,
  prefix,
  endpoint: server.endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: server.accessKeyId, secretAccessKey: SECRET },
  partSizeBytes: 5 * MiB,
});

/** Temporaries (`.name….partial`) anywhere under `dir`. */
async function temporariesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (sub: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(join(dir, sub), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(rel);
      else if (entry.name.startsWith('.') && entry.name.endsWith('.partial')) found.push(rel);
    }
  };
  await walk('');
  return found.sort();
}

describeRemote('storageRemote(localStorage)', async () => {
  const work = await tempDir('kw-remote-local');
  return {
    async open(name) {
      const options = { directory: join(work.path, name), fsync: false };
      return {
        remote: storageRemote(localStorage(options)),
        spec: { kind: 'storage', storage: { kind: 'local', options } },
        leftovers: (remoteDir) => temporariesUnder(join(work.path, name, remoteDir)),
      };
    },
    stop: () => work.remove(),
  };
});

describeRemote('storageRemote(s3Storage) on a real s3rver process', async () => {
  const work = await tempDir('kw-remote-s3');
  const server = await startS3Server(join(work.path, 's3'), [BUCKET]);
  return {
    async open(name) {
      const options = s3Options(server, `suite/${name}`);
      return {
        remote: storageRemote(s3Storage(options)),
        spec: { kind: 'storage', storage: { kind: 's3', options } },
        leftovers: (remoteDir) => server.uploadsUnder(BUCKET, `suite/${name}/${remoteDir}/`),
      };
    },
    async stop() {
      await server.stop();
      await work.remove();
    },
  };
});

// Not run over sshStorage: an SSH remote is rsyncOverSsh (its own case of this suite), and
// sshStorage, proved as a Storage by the storage suite, opens an ssh connection per call, so this
// suite over it took 20–76 s a test (5–8 minutes) for a pairing the product never makes.

describe('storageRemote: an index from elsewhere', () => {
  it('refuses an index whose paths leave the target, and writes nothing outside it', async () => {
    const work = await tempDir('kw-remote-evil');
    try {
      const storage = localStorage({ directory: join(work.path, 'remote'), fsync: false });
      const remote = storageRemote(storage);
      const header = {
        format: 'keepwatch-remote-tree',
        version: 1,
        id: 'data-20261125T031500Z-aaaaaa',
        createdAt: new Date().toISOString(),
        files: 1,
        totalBytes: 1,
      };
      const sha = createHash('sha256').update('x').digest('hex');
      await storage.write(`data/objects/${sha.slice(0, 2)}/${sha}`, Readable.from([Buffer.from('x')]));
      for (const path of ['../escaped', 'a/../../escaped', '/tmp/escaped', 'a']) {
        const lines = [
          header,
          { path: '.', type: 'dir', mode: 0o755, mtimeNs: '0' },
          { path, type: 'file', mode: 0o644, mtimeNs: '0', size: 1, sha256: sha },
        ];
        await storage.write(
          'data/snapshots/data-20261125T031500Z-aaaaaa.ndjson',
          Readable.from([Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n'))]),
        );
        const target = join(work.path, 'restore', 'here');
        if (path === 'a') {
          // The same index with a harmless path restores: the refusals above are the paths.
          await remote.pull('data/data-20261125T031500Z-aaaaaa', target);
          expect(readFileSync(join(target, 'a'), 'utf8')).toBe('x');
          continue;
        }
        await expect(remote.pull('data/data-20261125T031500Z-aaaaaa', target), path).rejects.toThrow(
          RemoteIntegrityError,
        );
        expect(await readdir(join(work.path, 'restore')).catch(() => [])).toEqual([]);
      }
      expect(await readdir(work.path)).toEqual(['remote', 'restore']);
    } finally {
      await work.remove();
    }
  });
});

describe('storageRemote over S3: snapshots as content-addressed objects', { timeout: 180_000 }, () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let server: TestS3Server;
  let storage: Storage;
  let remote: RemoteDestination;
  let prefixCount = 0;

  const fresh = (): { storage: Storage; remote: RemoteDestination; prefix: string } => {
    const prefix = `snap/p${++prefixCount}`;
    storage = s3Storage(s3Options(server, prefix));
    remote = storageRemote(storage);
    return { storage, remote, prefix };
  };
  const received = async (): Promise<number> => (await server.stats()).bytesReceived;

  beforeAll(async () => {
    work = await tempDir('kw-remote-s3-tree');
    server = await startS3Server(join(work.path, 's3'), [BUCKET]);
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await work?.remove();
  });

  it('an unchanged second snapshot uploads almost nothing, a changed file just its object (bytes counted at the server)', async () => {
    const { storage, remote } = fresh();
    const source = join(work.path, 'data');
    makeDataDir(source, 400);
    const tree = join(source, 'media');
    for (let i = 0; i < 4; i++) writeFileSync(join(tree, `large-${i}.bin`), randomBytes(2 * MiB));
    const before = await received();
    await remote.push(tree, 'data/data-20261125T031500Z-aaaaaa');
    const first = (await received()) - before;
    const [index] = await storage.list('data/snapshots/');
    const treeBytes = (await remote.list('data'))[0]!.size;
    expect(treeBytes).toBeGreaterThan(9 * MiB);
    expect(first).toBeGreaterThan(treeBytes);

    const beforeSecond = await received();
    await remote.push(tree, 'data/data-20261126T031500Z-bbbbbb', { linkDest: 'data/data-20261125T031500Z-aaaaaa' });
    const second = (await received()) - beforeSecond;
    // The index, requests' headers, and not one file's bytes.
    expect(second).toBeLessThan(0.01 * first + index!.size);

    const changed = join(tree, 'd000/s0/f00001.bin');
    writeFileSync(changed, randomBytes(300_000));
    const beforeThird = await received();
    await remote.push(tree, 'data/data-20261127T031500Z-cccccc');
    const third = (await received()) - beforeThird;
    expect(third).toBeGreaterThan(300_000);
    expect(third).toBeLessThan(300_000 + 0.01 * first + index!.size);
    console.info(
      `tree of ${treeBytes} bytes: first push ${first} bytes received by the server, unchanged second ${second}, one 300000-byte file changed ${third} (index ${index!.size})`,
    );

    const pulled = join(work.path, 'pulled-third');
    await remote.pull('data/data-20261127T031500Z-cccccc', pulled);
    // The FIFO makeDataDir leaves is not pushed (a snapshot never holds one); everything else comes back.
    const expected = listTree(tree);
    expected.delete('pipe');
    expect(treeDifferences(expected, listTree(pulled))).toEqual([]);
  });

  it('one flipped byte in a stored object fails the pull, naming the snapshot and the file; nothing is left', async () => {
    const { storage, remote, prefix } = fresh();
    const tree = join(work.path, 'flip');
    makeTree(tree);
    await remote.push(tree, 'data/data-20261125T031500Z-aaaaaa');
    const sha = createHash('sha256')
      .update(readFileSync(join(tree, 'media/photos/2026/a.jpg')))
      .digest('hex');
    const file = server.objectFile(BUCKET, `${prefix}/data/objects/${sha.slice(0, 2)}/${sha}`);
    const bytes = readFileSync(file);
    bytes[1000] = bytes[1000]! ^ 0x01;
    writeFileSync(file, bytes);

    const target = join(work.path, 'flip-pulled');
    const error = await remote.pull('data/data-20261125T031500Z-aaaaaa', target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteIntegrityError);
    expect((error as RemoteIntegrityError).code).toBe('KW_BACKUP_REMOTE_CORRUPT');
    expect((error as Error).message).toContain('data-20261125T031500Z-aaaaaa');
    expect((error as Error).message).toContain('media/photos/2026/a.jpg');
    expect(await readdir(work.path)).not.toContain('flip-pulled');
    expect((await readdir(work.path)).filter((n) => n.includes('flip-pulled'))).toEqual([]);
    await storage.close();
  });

  it('removing one snapshot keeps the objects the other still uses and deletes only its own', async () => {
    const { storage, remote } = fresh();
    const a = join(work.path, 'keep-a');
    const b = join(work.path, 'keep-b');
    makeTree(a, 'a');
    makeTree(b, 'b');
    writeFileSync(join(a, 'only-in-a.bin'), randomBytes(10_000));
    writeFileSync(join(b, 'shared.bin'), readFileSync(join(a, 'media/photos/2026/a.jpg')));
    const expectedB = listTree(b);
    await remote.push(a, 'data/data-20261125T031500Z-aaaaaa');
    const objectsOfA = (await storage.list('data/objects/')).map((o) => o.key);
    await remote.push(b, 'data/data-20261126T031500Z-bbbbbb');
    const objectsOfBoth = (await storage.list('data/objects/')).map((o) => o.key);
    expect(objectsOfBoth.length).toBeGreaterThan(objectsOfA.length);

    await remote.remove('data/data-20261125T031500Z-aaaaaa');
    const left = (await storage.list('data/objects/')).map((o) => o.key);
    const onlyInA = createHash('sha256')
      .update(readFileSync(join(a, 'only-in-a.bin')))
      .digest('hex');
    expect(left.some((k) => k.endsWith(onlyInA))).toBe(false);
    expect(left.length).toBeLessThan(objectsOfBoth.length);
    expect((await storage.list('data/snapshots/')).map((o) => o.key)).toEqual([
      'data/snapshots/data-20261126T031500Z-bbbbbb.ndjson',
    ]);
    const pulled = join(work.path, 'keep-b-pulled');
    await remote.pull('data/data-20261126T031500Z-bbbbbb', pulled);
    expect(treeDifferences(expectedB, listTree(pulled))).toEqual([]);

    await remote.remove('data/data-20261126T031500Z-bbbbbb');
    expect(await storage.list('data/')).toEqual([]);
  });

  it('lists files, folders and snapshots side by side, and hides only the machinery', async () => {
    const { remote } = fresh();
    const tree = join(work.path, 'side');
    makeTree(tree);
    const file = join(work.path, 'side.txt');
    writeFileSync(file, 'x');
    await remote.push(tree, 'data/data-20261125T031500Z-aaaaaa');
    await remote.push(file, 'data/notes.txt');
    // A source named "snapshots" is an ordinary folder at the root.
    await remote.push(file, 'snapshots/snapshots-20261125T031500Z-aaaaaa.manifest.json');
    expect((await remote.list('data')).map((e) => [e.name, e.type])).toEqual([
      ['data-20261125T031500Z-aaaaaa', 'dir'],
      ['notes.txt', 'file'],
    ]);
    expect((await remote.list()).map((e) => [e.name, e.type])).toEqual([
      ['data', 'dir'],
      ['snapshots', 'dir'],
    ]);
  });
});
