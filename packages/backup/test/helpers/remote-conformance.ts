import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  lutimesSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RemoteNotFoundError, RemotePathError, type RemoteDestination } from '../../src/remote/index.js';
import { SnapshotTargetNotEmptyError } from '../../src/snapshot/errors.js';
import type { RemoteSpec } from '../fixtures/remote-pusher.js';
import { tempDir } from './files.js';
import { listTree, treeDifferences } from '../snapshot/tree-fixture.js';

/** One remote of the suite, on a root (folder, remote path, bucket prefix) no other test uses. */
export interface RemoteHarness {
  remote: RemoteDestination;
  /** How `test/fixtures/remote-pusher.ts` builds the same remote in another process, pushing slowly. */
  spec: RemoteSpec;
  /** What interrupted pushes left in the backing store under `remoteDir` (temporaries, incomplete uploads). */
  leftovers(remoteDir: string): Promise<string[]>;
  /**
   * What a push killed with -9 surely leaves behind until `removeIncomplete`. rsync's receiver
   * deletes its temporary file itself when the connection drops, so a killed file push may leave
   * nothing; a killed folder push leaves its `.<name>.partial` folder.
   * @defaultValue ['file', 'tree']
   */
  killLeavesLeftovers?: ('file' | 'tree')[];
}

export interface RemoteBackend {
  open(name: string): Promise<RemoteHarness>;
  stop(): Promise<void>;
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const fixture = (name: string): string => join(import.meta.dirname, '..', 'fixtures', name);
const MiB = 1024 * 1024;

/**
 * A small data tree with what a snapshot must bring back: modes from 0400 to 0755 (and 4755), a
 * private and an empty folder, a dotfile, two files with the same bytes, symlinks (relative,
 * absolute, dangling), mtimes in the past (to the microsecond), and a read-only folder.
 */
export function makeTree(root: string, seed = 'a'): void {
  mkdirSync(join(root, 'media/photos/2026'), { recursive: true });
  mkdirSync(join(root, 'media/empty'));
  mkdirSync(join(root, 'private'), { mode: 0o700 });
  writeFileSync(join(root, '.env'), `SECRET=${seed}\n`, { mode: 0o600 });
  writeFileSync(join(root, 'media/photos/2026/a.jpg'), randomBytes(200_000));
  writeFileSync(join(root, 'media/photos/2026/b.jpg'), randomBytes(3_000));
  writeFileSync(join(root, 'media/photos/copy-of-b.jpg'), readFileSync(join(root, 'media/photos/2026/b.jpg')));
  writeFileSync(join(root, 'media/zero'), '');
  writeFileSync(join(root, 'private/key.pem'), `key ${seed}\n`);
  writeFileSync(join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
  const modes: [string, number][] = [
    ['.env', 0o600],
    ['media/photos/2026/a.jpg', 0o644],
    ['media/photos/2026/b.jpg', 0o444],
    ['media/photos/copy-of-b.jpg', 0o640],
    ['private/key.pem', 0o400],
    ['run.sh', 0o4755],
  ];
  for (const [path, mode] of modes) chmodSync(join(root, path), mode);
  symlinkSync('photos/2026/a.jpg', join(root, 'media/latest'));
  symlinkSync('/etc/hostname', join(root, 'media/absolute'));
  symlinkSync('../nowhere', join(root, 'media/dangling'));
  // Times differ by seed: rsync's --link-dest takes a file of the same size and mtime as unchanged.
  let t = 1_600_000_000.123456 + [...seed].reduce((sum, c) => sum + c.charCodeAt(0), 0) * 10_000;
  for (const path of ['.env', 'media/photos/2026/a.jpg', 'media/photos/2026/b.jpg', 'run.sh', 'private/key.pem']) {
    utimesSync(join(root, path), t, t + 86_400.5);
    t += 86_400.5;
  }
  lutimesSync(join(root, 'media/latest'), 1_500_000_000, 1_500_000_000.25);
  for (const dir of ['media/photos/2026', 'media/photos', 'media/empty', 'media', 'private', '']) {
    t += 1000;
    utimesSync(join(root, dir), 1_650_000_000, t);
  }
  chmodSync(join(root, 'media/empty'), 0o555);
}

/**
 * What every `RemoteDestination` must do with the calls runtime makes (`push` of a dump and its
 * manifest, `push` of a snapshot folder, `list`, `pull`, `remove`, `removeIncomplete`): the same
 * suite for `rsyncOverSsh` and `storageRemote` over S3, SSH or a local directory.
 */
export function describeRemote(
  name: string,
  start: () => Promise<RemoteBackend>,
  { timeout = 120_000 }: { timeout?: number } = {},
): void {
  describe(`remote conformance: ${name}`, { timeout }, () => {
    let backend: RemoteBackend;
    let work: Awaited<ReturnType<typeof tempDir>>;
    let count = 0;
    const open = () => backend.open(`r${++count}-${randomBytes(3).toString('hex')}`);

    beforeAll(async () => {
      backend = await start();
      work = await tempDir('kw-remote-suite');
    }, 60_000);
    afterAll(async () => {
      await backend?.stop();
      await work?.remove();
    });

    it('pushes a dump and its manifest, lists them with sizes, pulls them back byte-identical and 0600, removes them', async () => {
      const { remote } = await open();
      const dump = join(work.path, 'database-20261125T031500Z-ab12cd.pgdump.zst');
      const manifest = join(work.path, 'database-20261125T031500Z-ab12cd.manifest.json');
      writeFileSync(dump, randomBytes(3 * MiB + 17), { mode: 0o600 });
      writeFileSync(manifest, '{"id":"database-20261125T031500Z-ab12cd"}\n');

      expect(await remote.list('database')).toEqual([]);
      await remote.push(dump, 'database/database-20261125T031500Z-ab12cd.pgdump.zst');
      await remote.push(manifest, 'database/database-20261125T031500Z-ab12cd.manifest.json');
      const listed = await remote.list('database');
      expect(listed.map((e) => [e.name, e.type, e.size])).toEqual([
        ['database-20261125T031500Z-ab12cd.manifest.json', 'file', lstatSync(manifest).size],
        ['database-20261125T031500Z-ab12cd.pgdump.zst', 'file', 3 * MiB + 17],
      ]);
      for (const entry of listed) expect(Math.abs(entry.modifiedAt.getTime() - Date.now())).toBeLessThan(3_600_000);
      expect((await remote.list()).map((e) => [e.name, e.type])).toEqual([['database', 'dir']]);

      const pulled = join(work.path, `pulled-${count}/dump.zst`);
      await remote.pull('database/database-20261125T031500Z-ab12cd.pgdump.zst', pulled);
      expect(sha256(pulled)).toBe(sha256(dump));
      expect(lstatSync(pulled).mode & 0o777).toBe(0o600);
      await expect(remote.pull('database/database-20261125T031500Z-ab12cd.pgdump.zst', pulled)).rejects.toThrow(
        SnapshotTargetNotEmptyError,
      );
      await expect(remote.pull('database/nothing-here.zst', join(work.path, 'none'))).rejects.toThrow(
        RemoteNotFoundError,
      );

      await remote.remove('database/database-20261125T031500Z-ab12cd.pgdump.zst');
      expect((await remote.list('database')).map((e) => e.name)).toEqual([
        'database-20261125T031500Z-ab12cd.manifest.json',
      ]);
      await remote.remove('database/database-20261125T031500Z-ab12cd.manifest.json');
      await remote.remove('database/database-20261125T031500Z-ab12cd.manifest.json');
      expect(await remote.list('database')).toEqual([]);
    });

    it('round-trips a snapshot tree: modes, symlinks, mtimes, dotfiles, empty and read-only folders', async () => {
      const { remote } = await open();
      const tree = join(work.path, `tree-${count}`);
      makeTree(tree);
      const expected = listTree(tree);
      await remote.push(tree, 'data/data-20261125T031500Z-aaaaaa');
      const listed = await remote.list('data');
      expect(listed.map((e) => [e.name, e.type])).toEqual([['data-20261125T031500Z-aaaaaa', 'dir']]);

      const pulled = join(work.path, `pulled-tree-${count}`);
      await remote.pull('data/data-20261125T031500Z-aaaaaa', pulled);
      expect(treeDifferences(expected, listTree(pulled))).toEqual([]);
      // An existing empty folder is taken over, as a restore target would be.
      const into = join(work.path, `empty-target-${count}`);
      mkdirSync(into);
      await remote.pull('data/data-20261125T031500Z-aaaaaa', into);
      expect(treeDifferences(expected, listTree(into))).toEqual([]);
    });

    it('keeps two snapshots apart; removing one leaves the other whole', async () => {
      const { remote } = await open();
      const first = join(work.path, `first-${count}`);
      const second = join(work.path, `second-${count}`);
      makeTree(first, 'one');
      makeTree(second, 'two');
      // The second shares a file with the first.
      writeFileSync(join(second, 'shared.bin'), readFileSync(join(first, 'media/photos/2026/a.jpg')));
      writeFileSync(join(first, 'shared.bin'), readFileSync(join(first, 'media/photos/2026/a.jpg')));
      const expected = listTree(second);
      await remote.push(first, 'data/data-20261125T031500Z-aaaaaa');
      await remote.push(second, 'data/data-20261126T031500Z-bbbbbb', { linkDest: 'data/data-20261125T031500Z-aaaaaa' });
      expect((await remote.list('data')).map((e) => e.name)).toEqual([
        'data-20261125T031500Z-aaaaaa',
        'data-20261126T031500Z-bbbbbb',
      ]);
      await remote.remove('data/data-20261125T031500Z-aaaaaa');
      expect((await remote.list('data')).map((e) => e.name)).toEqual(['data-20261126T031500Z-bbbbbb']);
      const pulled = join(work.path, `pulled-second-${count}`);
      await remote.pull('data/data-20261126T031500Z-bbbbbb', pulled);
      expect(treeDifferences(expected, listTree(pulled))).toEqual([]);
      await expect(remote.pull('data/data-20261125T031500Z-aaaaaa', join(work.path, 'gone'))).rejects.toThrow(
        RemoteNotFoundError,
      );
      await remote.remove('data/data-20261126T031500Z-bbbbbb');
      expect(await remote.list('data')).toEqual([]);
    });

    it('refuses paths that could escape the remote or reach a shell', async () => {
      const { remote } = await open();
      for (const bad of ['../etc', '/etc/passwd', 'a/../../b', "x'; rm -rf /", '-e', 'a b', '', '.hidden']) {
        await expect(remote.push(work.path, bad), bad).rejects.toThrow(RemotePathError);
        await expect(remote.remove(bad), bad).rejects.toThrow(RemotePathError);
      }
      await expect(remote.removeIncomplete('../x')).rejects.toThrow(RemotePathError);
    });

    for (const what of ['file', 'tree'] as const) {
      it(`kill -9 of a process pushing a ${what}: nothing listed; removeIncomplete clears what it left, only in its folder`, async () => {
        const { remote, spec, leftovers, killLeavesLeftovers = ['file', 'tree'] } = await open();
        const local = join(work.path, `big-${what}-${count}`);
        if (what === 'file') {
          writeFileSync(local, randomBytes(24 * MiB));
        } else {
          makeTree(local);
          writeFileSync(join(local, 'media/big.bin'), randomBytes(24 * MiB));
        }
        const remotePath = what === 'file' ? 'database/big.pgdump.zst' : 'data/data-20261125T031500Z-killed';
        const remoteDir = remotePath.split('/')[0]!;
        let child: ChildProcess | undefined;
        try {
          // Its own process group, so -9 takes rsync and ssh with it, as a machine losing power would.
          child = spawn(
            process.execPath,
            ['--import', 'tsx', fixture('remote-pusher.ts'), JSON.stringify({ spec, local, remotePath })],
            { cwd: join(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
          );
          let stderr = '';
          child.stderr!.on('data', (chunk: Buffer) => {
            stderr += chunk.toString();
          });
          await vi.waitFor(
            async () => {
              if (child!.exitCode !== null) throw new Error(`the pusher exited early: ${stderr}`);
              if ((await leftovers(remoteDir)).length === 0) throw new Error('waiting for the push to be under way');
            },
            { timeout: 60_000, interval: 100 },
          );
          process.kill(-child.pid!, 'SIGKILL');
          await new Promise((resolve) => child!.once('close', resolve));
        } finally {
          if (child?.pid && child.exitCode === null && child.signalCode === null) {
            try {
              process.kill(-child.pid, 'SIGKILL');
            } catch {}
          }
        }
        expect(await remote.list(remoteDir)).toEqual([]);
        // Over ssh the remote side of a session cut short may still be starting up: wait until the
        // leftovers stop changing (bounded) before comparing them.
        let left = await leftovers(remoteDir);
        await vi.waitFor(
          async () => {
            await new Promise((resolve) => setTimeout(resolve, 500));
            const now = await leftovers(remoteDir);
            const same = JSON.stringify(now) === JSON.stringify(left);
            left = now;
            if (!same) throw new Error('leftovers still changing');
          },
          { timeout: 15_000, interval: 0 },
        );
        if (killLeavesLeftovers.includes(what)) {
          expect(left.length).toBeGreaterThan(0);
          // Another folder (another source) is left alone.
          expect(await remote.removeIncomplete('elsewhere')).toEqual([]);
          expect(await leftovers(remoteDir)).toEqual(left);
        }
        const removed: string[] = [];
        // Bounded: rsync's receiver on the remote may still be winding down when the pusher is gone.
        await vi.waitFor(
          async () => {
            removed.push(...(await remote.removeIncomplete(remoteDir)));
            expect(await leftovers(remoteDir)).toEqual([]);
          },
          { timeout: 15_000, interval: 200 },
        );
        if (killLeavesLeftovers.includes(what)) expect(removed.length).toBeGreaterThan(0);
        for (const path of removed) expect(path.startsWith(`${remoteDir}/`), path).toBe(true);
        expect(await remote.list(remoteDir)).toEqual([]);
        // And the push, done again, completes.
        await remote.push(local, remotePath);
        expect((await remote.list(remoteDir)).map((e) => e.name)).toEqual([remotePath.split('/')[1]]);
      });
    }
  });
}
