import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type BackupLogger, silentLogger } from '../logger.js';
import { SnapshotTargetNotEmptyError } from '../snapshot/errors.js';
import { StorageNotFoundError } from '../storage/errors.js';
import type { Storage, StorageObject } from '../storage/storage.js';
import { RemoteIntegrityError, RemoteNotFoundError } from './errors.js';
import { mapLimit } from './map-limit.js';
import type { PushOptions, RemoteDestination, RemoteEntry } from './remote-destination.js';
import { checkRemotePath } from './remote-path.js';
import { OBJECTS, SNAPSHOTS, machineryOf, treeLayout } from './tree-layout.js';
import { pullTree } from './tree-pull.js';
import { pushTree } from './tree-push.js';
import { readTree, readTreeHeader } from './tree-read.js';

export interface StorageRemoteOptions {
  /** @defaultValue silent */
  logger?: BackupLogger;
}

/**
 * Any `Storage` (an S3 bucket, a folder over SSH, a local directory) as the off-site remote, with
 * the calls `rsyncOverSsh` answers. A file is one object under its path, streamed in (an S3
 * write's memory is bounded by its part size; no temporary copy) and visible only once complete.
 * A directory (a data snapshot) is kept content-addressed, in the layout `tree-layout.ts`
 * describes: `<folder>/objects/<ab>/<sha256>` shared by every snapshot plus
 * `<folder>/snapshots/<id>.ndjson` written last; an unchanged file is never sent twice, so
 * `linkDest` has nothing left to do and is ignored. `list` shows each snapshot as a `dir` entry
 * (its size the tree's total bytes) and hides the objects and indexes.
 *
 * `remove` of a snapshot deletes its index, then every object no remaining index of the folder
 * names: the caller holds the source's lock, so no push of that folder runs meanwhile.
 */
export function storageRemote(storage: Storage, options: StorageRemoteOptions = {}): RemoteDestination {
  const logger = options.logger ?? silentLogger;
  const label = storage.label;

  /** The snapshot indexes of one folder, by id. */
  const indexesOf = async (folder: string[]): Promise<Map<string, StorageObject>> => {
    const layout = treeLayout(folder);
    const found = new Map<string, StorageObject>();
    for (const object of await storage.list(layout.indexesPrefix)) {
      const machinery = machineryOf(object.key.slice(layout.base.length));
      if (machinery !== undefined && machinery !== 'object') found.set(machinery.index, object);
    }
    return found;
  };

  const exists = async (key: string): Promise<boolean> => {
    try {
      await storage.stat(key);
      return true;
    } catch (error) {
      if (error instanceof StorageNotFoundError) return false;
      throw error;
    }
  };

  /** Deletes every object of the folder that no index names; keeps them all when an index cannot be read. */
  const collectGarbage = async (folder: string[]): Promise<number> => {
    const layout = treeLayout(folder);
    const referenced = new Set<string>();
    for (const id of (await indexesOf(folder)).keys()) {
      try {
        const { entries } = await readTree(storage, layout, id);
        for (const entry of entries) if (entry.type === 'file') referenced.add(layout.objectKey(entry.sha256));
      } catch (error) {
        if (!(error instanceof RemoteIntegrityError)) throw error;
        logger.warn(
          { err: error, remote: label, snapshot: id },
          'remote: a snapshot index cannot be read, so no object is deleted until it is removed or pushed again',
        );
        return 0;
      }
    }
    const unused = (await storage.list(layout.objectsPrefix))
      .filter((o) => machineryOf(o.key.slice(layout.base.length)) === 'object' && !referenced.has(o.key))
      .map((o) => o.key);
    await mapLimit(unused, 8, (key) => storage.delete(key));
    return unused.length;
  };

  /** Makes `localPath` free for a pull (an empty folder is taken over, as `rsyncOverSsh` does) and gives a staging name next to it. */
  const prepareTarget = async (localPath: string): Promise<{ staging: string; existing: boolean }> => {
    const existing = await stat(localPath).catch(() => undefined);
    if (existing && (!existing.isDirectory() || (await readdir(localPath)).length > 0))
      throw new SnapshotTargetNotEmptyError(localPath);
    await mkdir(dirname(localPath), { recursive: true, mode: 0o700 });
    return {
      staging: join(dirname(localPath), `.${basename(localPath)}.pull-${randomBytes(4).toString('hex')}`),
      existing: existing !== undefined,
    };
  };

  return {
    label,

    async push(localPath: string, remotePath: string, _pushOptions: PushOptions = {}): Promise<void> {
      const segments = checkRemotePath(remotePath);
      if ((await stat(localPath)).isDirectory()) {
        await pushTree(storage, treeLayout(segments.slice(0, -1)), localPath, segments.at(-1)!, logger);
        return;
      }
      await storage.write(segments.join('/'), createReadStream(localPath));
      logger.info({ remote: label, path: remotePath }, 'remote: pushed');
    },

    async pull(remotePath: string, localPath: string): Promise<void> {
      const segments = checkRemotePath(remotePath);
      const key = segments.join('/');
      const layout = treeLayout(segments.slice(0, -1));
      const id = segments.at(-1)!;
      const isFile = await exists(key);
      if (!isFile && !(await exists(layout.indexKey(id)))) throw new RemoteNotFoundError(remotePath, label);
      const { staging, existing } = await prepareTarget(localPath);
      try {
        if (isFile) {
          await pipeline(await storage.read(key), createWriteStream(staging, { flags: 'wx', mode: 0o600 }));
        } else {
          await pullTree(storage, layout, id, staging);
        }
        if (existing) await rm(localPath, { recursive: true });
        await rename(staging, localPath);
      } catch (error) {
        await rm(staging, { recursive: true, force: true }).catch((rmError: unknown) =>
          logger.warn({ err: rmError, path: staging }, 'remote: could not remove what a failed pull left'),
        );
        if (error instanceof StorageNotFoundError) throw new RemoteNotFoundError(remotePath, label, error);
        throw error;
      }
    },

    async list(remoteDir = ''): Promise<RemoteEntry[]> {
      const folder = checkRemotePath(remoteDir, true);
      const layout = treeLayout(folder);
      const files: RemoteEntry[] = [];
      const folders = new Map<string, RemoteEntry>();
      const indexes: { id: string; object: StorageObject }[] = [];
      // A folder named "objects" or "snapshots" is the snapshots' machinery only when all it holds is.
      const machineryOnly = new Map<string, boolean>();
      for (const object of await storage.list(layout.base)) {
        const relative = object.key.slice(layout.base.length);
        const slash = relative.indexOf('/');
        if (slash === -1) {
          files.push({ name: relative, type: 'file', size: object.size, modifiedAt: object.modifiedAt });
          continue;
        }
        const name = relative.slice(0, slash);
        const machinery = machineryOf(relative);
        if (machinery !== undefined && machinery !== 'object') indexes.push({ id: machinery.index, object });
        if (name === OBJECTS || name === SNAPSHOTS)
          machineryOnly.set(name, (machineryOnly.get(name) ?? true) && machinery !== undefined);
        const seen = folders.get(name);
        if (!seen || seen.modifiedAt < object.modifiedAt)
          folders.set(name, { name, type: 'dir', size: 0, modifiedAt: object.modifiedAt });
      }
      for (const [name, only] of machineryOnly) if (only) folders.delete(name);
      const snapshots: RemoteEntry[] = [];
      await mapLimit(indexes, 8, async ({ id, object }) => {
        let size = 0;
        try {
          size = (await readTreeHeader(storage, object, id)).totalBytes;
        } catch (error) {
          // Listed anyway (a pull of it then says what is wrong); the other snapshots still show.
          logger.warn({ err: error, remote: label, snapshot: id }, 'remote: a snapshot index cannot be read');
        }
        snapshots.push({ name: id, type: 'dir', size, modifiedAt: object.modifiedAt });
      });
      const byName = new Map<string, RemoteEntry>();
      for (const entry of [...files, ...folders.values(), ...snapshots]) byName.set(entry.name, entry);
      return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    async remove(remotePath: string): Promise<void> {
      const segments = checkRemotePath(remotePath);
      const folder = segments.slice(0, -1);
      const layout = treeLayout(folder);
      await storage.delete(segments.join('/'));
      const indexKey = layout.indexKey(segments.at(-1)!);
      if (await exists(indexKey)) {
        // The index first: from here on the snapshot is gone, even if collecting its objects fails.
        await storage.delete(indexKey);
        const deleted = await collectGarbage(folder);
        logger.info({ remote: label, path: remotePath, objectsDeleted: deleted }, 'remote: removed a snapshot');
        return;
      }
      logger.info({ remote: label, path: remotePath }, 'remote: removed');
    },

    async removeIncomplete(remoteDir: string): Promise<string[]> {
      const folder = checkRemotePath(remoteDir, true);
      // Everything, not "older than the longest write": the caller holds the lock of the only source
      // that writes here. A day ahead, so a server clock ahead of ours does not spare an upload.
      const removed = await storage.cleanupIncompleteUploads(new Date(Date.now() + 86_400_000), {
        prefix: folder.length === 0 ? '' : `${folder.join('/')}/`,
      });
      if (removed.length > 0) logger.info({ remote: label, removed }, 'remote: removed what interrupted pushes left');
      return removed;
    },
  };
}
