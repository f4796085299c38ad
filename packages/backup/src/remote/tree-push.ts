import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BackupLogger } from '../logger.js';
import { DigestStream } from '../storage/digest-stream.js';
import type { Storage } from '../storage/storage.js';
import { mapLimit } from './map-limit.js';
import { RemoteSourceChangedError } from './errors.js';
import {
  TREE_FORMAT,
  TREE_VERSION,
  type TreeEntry,
  type TreeLayout,
  machineryOf,
  serializeTree,
} from './tree-layout.js';

/** What a tree push did, for logs and tests. */
export interface TreePushReport {
  files: number;
  totalBytes: number;
  /** Objects (and their bytes) that were not on the storage yet and were sent. */
  uploadedObjects: number;
  uploadedBytes: number;
}

// Files smaller than this go several at a time; larger ones one at a time, so a push's memory stays
// that of one storage write (an S3 write buffers up to part size × queue size).
const SMALL = 8 * 1024 * 1024;
const SMALL_AT_ONCE = 8;
const HASH_AT_ONCE = 4;

/**
 * Pushes the directory `localDir` as snapshot `id`: scans it, hashes every regular file, uploads
 * the objects the storage does not have yet (one listing of the objects per push), then writes the
 * index. Anything but a directory, regular file or symlink (a socket, a fifo) is left out, with a
 * warning, as a snapshot never holds one.
 */
export async function pushTree(
  storage: Storage,
  layout: TreeLayout,
  localDir: string,
  id: string,
  logger: BackupLogger,
): Promise<TreePushReport> {
  const entries = await scanTree(localDir, logger);
  const files = entries.filter((e): e is Extract<TreeEntry, { type: 'file' }> => e.type === 'file');
  await mapLimit(files, HASH_AT_ONCE, async (entry) => {
    const digest = await hashFile(join(localDir, entry.path));
    entry.sha256 = digest.sha256;
    entry.size = digest.size;
  });

  const present = new Set<string>();
  for (const object of await storage.list(layout.objectsPrefix)) {
    if (machineryOf(object.key.slice(layout.base.length)) === 'object') present.add(object.key);
  }
  const wanted = new Map<string, Extract<TreeEntry, { type: 'file' }>>();
  for (const entry of files) {
    const key = layout.objectKey(entry.sha256);
    if (!present.has(key) && !wanted.has(key)) wanted.set(key, entry);
  }
  const missing = [...wanted.entries()];
  const upload = async ([key, entry]: [string, Extract<TreeEntry, { type: 'file' }>]): Promise<void> => {
    const path = join(localDir, entry.path);
    const written = await storage.write(key, createReadStream(path));
    if (written.sha256 !== entry.sha256) {
      // The object went in under a name that is not its hash: take it back out.
      await storage.delete(key).catch(() => {});
      throw new RemoteSourceChangedError(path, storage.label);
    }
  };
  await mapLimit(
    missing.filter(([, e]) => e.size < SMALL),
    SMALL_AT_ONCE,
    upload,
  );
  await mapLimit(
    missing.filter(([, e]) => e.size >= SMALL),
    1,
    upload,
  );

  const totalBytes = files.reduce((sum, e) => sum + e.size, 0);
  const header = {
    format: TREE_FORMAT,
    version: TREE_VERSION,
    id,
    createdAt: new Date().toISOString(),
    files: files.length,
    totalBytes,
  } as const;
  await storage.write(layout.indexKey(id), Readable.from([Buffer.from(serializeTree(header, entries))]));
  const report = {
    files: files.length,
    totalBytes,
    uploadedObjects: missing.length,
    uploadedBytes: missing.reduce((sum, [, e]) => sum + e.size, 0),
  };
  logger.info({ remote: storage.label, snapshot: id, ...report }, 'remote: pushed a snapshot');
  return report;
}

/** Every entry under `root`, the root itself first as ".", each folder before what it holds. */
async function scanTree(root: string, logger: BackupLogger): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const visit = async (relative: string): Promise<void> => {
    const path = relative === '.' ? root : join(root, relative);
    // The root as what it points to (a snapshot folder given by a symlink); everything under it as it is.
    const info = relative === '.' ? await stat(path, { bigint: true }) : await lstat(path, { bigint: true });
    const base = { path: relative, mode: Number(info.mode & 0o7777n), mtimeNs: info.mtimeNs.toString() };
    if (info.isDirectory()) {
      entries.push({ ...base, type: 'dir' });
      const names = (await readdir(path)).sort();
      for (const name of names) await visit(relative === '.' ? name : `${relative}/${name}`);
    } else if (info.isFile()) {
      entries.push({ ...base, type: 'file', size: Number(info.size), sha256: '' });
    } else if (info.isSymbolicLink()) {
      entries.push({ ...base, type: 'symlink', target: await readlink(path) });
    } else {
      logger.warn({ path }, 'remote: left out of the push, not a file, folder or symlink');
    }
  };
  await visit('.');
  return entries;
}

async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const digest = new DigestStream();
  await pipeline(createReadStream(path), digest, async (source: AsyncIterable<Buffer>) => {
    for await (const _ of source);
  });
  return { sha256: digest.digest(), size: digest.bytes };
}
