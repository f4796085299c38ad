import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupOptionsError } from '../../src/errors.js';
import {
  RemoteNotFoundError,
  RemotePathError,
  RemoteTransferError,
  rsyncOverSsh,
  type RemoteDestination,
  type RsyncOverSshOptions,
} from '../../src/remote/index.js';
import {
  archiveSnapshot,
  extractArchive,
  restoreSnapshot,
  takeSnapshot,
  verifySnapshot,
} from '../../src/snapshot/index.js';
import { tempDir } from '../helpers/files.js';
import { describeRemote } from '../helpers/remote-conformance.js';
import { defaultSelection, listTree, makeDataDir, treeDifferences } from '../snapshot/tree-fixture.js';
import { freePort } from '@keepwatch/test-support/net';
import { startSshd, type TestSshd } from '@keepwatch/test-support/sshd';

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describeRemote('rsyncOverSsh to a real sshd', async () => {
  const work = await tempDir('kw-remote-rsync-suite');
  const sshd = await startSshd(work.path);
  return {
    async open(name) {
      const options: RsyncOverSshOptions = {
        host: '127.0.0.1',
        port: sshd.port,
        user: 'root',
        path: join(work.path, 'remote-disk', name),
        identityFile: sshd.identityFile,
        knownHostsFile: sshd.knownHostsFile,
        env: { PATH: process.env.PATH },
      };
      return {
        remote: rsyncOverSsh(options),
        spec: { kind: 'rsync', options },
        // Dot names directly in the folder: `.<name>.partial` and rsync's own temporaries.
        leftovers: async (remoteDir) =>
          (await readdir(join(options.path, remoteDir)).catch(() => [] as string[])).filter((n) => n.startsWith('.')),
        killLeavesLeftovers: ['tree'],
      };
    },
    async stop() {
      await sshd.stop();
      await work.remove();
    },
  };
});

describe('rsync over SSH to a real sshd on loopback', { timeout: 120_000 }, () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let sshd: TestSshd;
  let remoteRoot: string;
  let remote: RemoteDestination;

  beforeAll(async () => {
    work = await tempDir('kw-remote-rsync');
    sshd = await startSshd(work.path);
    // The "remote" disk is a folder of this test on the same machine, so the test can look at it directly.
    remoteRoot = join(work.path, 'remote-disk/keepwatch');
    remote = rsyncOverSsh({
      host: '127.0.0.1',
      port: sshd.port,
      user: 'root',
      path: remoteRoot,
      identityFile: sshd.identityFile,
      knownHostsFile: sshd.knownHostsFile,
    });
  }, 30_000);

  afterAll(async () => {
    await sshd?.stop();
    await work?.remove();
  });

  it('pushes snapshots (the second as hard links to the first) and an archive, lists, pulls them back byte-identical', async () => {
    const source = join(work.path, 'data');
    makeDataDir(source, 300);
    const local = join(work.path, 'snapshots');
    const expected = defaultSelection(listTree(source));
    const first = await takeSnapshot({ sourceDir: source, destinationDir: local, id: 'data-20260101T000000Z-aaaaaa' });
    const second = await takeSnapshot({
      sourceDir: source,
      destinationDir: local,
      id: 'data-20260102T000000Z-bbbbbb',
      previous: first.path,
    });
    const archive = await archiveSnapshot(second.path, join(work.path, 'data-20260102T000000Z-bbbbbb.tar.zst'));

    expect(await remote.list()).toEqual([]);
    await remote.push(first.path, `snapshots/${first.id}`);
    await remote.push(second.path, `snapshots/${second.id}`, { linkDest: `snapshots/${first.id}` });
    await remote.push(archive.path, `archives/${second.id}.tar.zst`);

    // The remote keeps the second snapshot's unchanged files as links to the first, as locally.
    const sample = 'tree/media/d000/s0/f00001.bin';
    expect(statSync(join(remoteRoot, 'snapshots', second.id, sample)).ino).toBe(
      statSync(join(remoteRoot, 'snapshots', first.id, sample)).ino,
    );
    expect(statSync(join(remoteRoot, 'snapshots', second.id, 'tree/.secret')).mode & 0o777).toBe(0o600);

    expect((await remote.list()).map((e) => [e.name, e.type])).toEqual([
      ['archives', 'dir'],
      ['snapshots', 'dir'],
    ]);
    expect((await remote.list('snapshots')).map((e) => e.name)).toEqual([first.id, second.id]);
    const [archiveEntry] = await remote.list('archives');
    expect(archiveEntry).toMatchObject({ name: `${second.id}.tar.zst`, type: 'file', size: archive.bytes });

    // Lost the local disk: pull both back and restore from what came over the wire.
    const pulledSnapshot = join(work.path, 'pulled/snapshot');
    await remote.pull(`snapshots/${second.id}`, pulledSnapshot);
    expect((await verifySnapshot(pulledSnapshot)).problems).toEqual([]);
    const restored = join(work.path, 'restored-from-remote');
    await restoreSnapshot({ snapshotDir: pulledSnapshot, targetDir: restored });
    expect(treeDifferences(expected, listTree(restored))).toEqual([]);

    const pulledArchive = join(work.path, 'pulled/archive.tar.zst');
    await remote.pull(`archives/${second.id}.tar.zst`, pulledArchive);
    expect(sha256(pulledArchive)).toBe(archive.sha256);
    const extracted = join(work.path, 'pulled/extracted');
    await extractArchive(pulledArchive, extracted);
    const restoredFromArchive = join(work.path, 'restored-from-remote-archive');
    await restoreSnapshot({ snapshotDir: extracted, targetDir: restoredFromArchive });
    expect(treeDifferences(expected, listTree(restoredFromArchive))).toEqual([]);

    await remote.remove(`snapshots/${first.id}`);
    expect((await remote.list('snapshots')).map((e) => e.name)).toEqual([second.id]);
    // The second copy stands on its own once the first is gone.
    expect(sha256(join(remoteRoot, 'snapshots', second.id, sample))).toBe(sha256(join(second.path, sample)));
  });

  it('says when a path is not there, and refuses paths that could escape or reach a shell', async () => {
    await expect(remote.pull('snapshots/nothing-here', join(work.path, 'nothing'))).rejects.toThrow(
      RemoteNotFoundError,
    );
    expect(await remote.list('no-such-dir')).toEqual([]);
    await remote.remove('snapshots/never-existed');
    for (const bad of ['../etc', '/etc/passwd', 'a/../../b', "x'; rm -rf /", '-e', 'a b', '']) {
      await expect(remote.push(work.path, bad)).rejects.toThrow(RemotePathError);
    }
  });

  it('fails without retry on an unknown key or a wrong host key, with the exit code and the stderr tail', async () => {
    const options = { host: '127.0.0.1', port: sshd.port, user: 'root', path: remoteRoot };
    const stranger = rsyncOverSsh({
      ...options,
      identityFile: sshd.strangerIdentityFile,
      knownHostsFile: sshd.knownHostsFile,
    });
    const error = await stranger.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteTransferError);
    // rsync reports ssh's refusal as 255, or as 12 (protocol stream closed) when the pipe closes
    // first: a race inside rsync, the same failure either way.
    expect([12, 255]).toContain((error as RemoteTransferError).exitCode);
    expect((error as RemoteTransferError).stderrTail).toMatch(/Permission denied/);
    expect((error as RemoteTransferError).retryable).toBe(false);

    const spoofed = rsyncOverSsh({
      ...options,
      identityFile: sshd.identityFile,
      knownHostsFile: sshd.wrongKnownHostsFile,
    });
    const spoofError = await spoofed.list().catch((e: unknown) => e);
    expect(spoofError).toBeInstanceOf(RemoteTransferError);
    expect((spoofError as RemoteTransferError).message).toMatch(
      /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/,
    );
    expect((spoofError as RemoteTransferError).retryable).toBe(false);
  });

  it('fails as retryable, within the connect timeout, when nothing listens', async () => {
    const down = rsyncOverSsh({
      host: '127.0.0.1',
      port: await freePort(),
      user: 'root',
      path: remoteRoot,
      identityFile: sshd.identityFile,
      knownHostsFile: sshd.knownHostsFile,
      connectTimeoutSeconds: 3,
    });
    const started = Date.now();
    const error = await down.list().catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(RemoteTransferError);
    expect((error as RemoteTransferError).stderrTail).toMatch(/Connection refused/);
    expect((error as RemoteTransferError).retryable).toBe(true);
  });

  it('lists every option problem at once and needs a known_hosts file for strict checking', () => {
    let error: unknown;
    try {
      rsyncOverSsh({
        host: '-oProxyCommand=evil',
        port: 70_000,
        user: '-lroot',
        path: 'relative',
        identityFile: 'key',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BackupOptionsError);
    const message = (error as Error).message;
    for (const key of ['host:', 'port:', 'user:', 'path:', 'identityFile:']) expect(message).toContain(key);
    expect(() => rsyncOverSsh({ host: 'backup.example', user: 'root', path: '/srv', identityFile: '/k' })).toThrow(
      /knownHostsFile: is required when strictHostKeyChecking is "yes"/,
    );
  });
});
