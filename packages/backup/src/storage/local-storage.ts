import { createWriteStream, type Dirent } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as z from 'zod/mini';
import { BackupOptionsError } from '../errors.js';
import { silentLogger, type BackupLogger } from '../logger.js';
import { english, zodProblems } from '../zod-problems.js';
import { resolveRange } from './byte-range.js';
import { takeIn } from './body-intake.js';
import { StorageAccessDeniedError, StorageFailedError, StorageNotFoundError, StorageRangeError } from './errors.js';
import {
  checkKey,
  compareKeys,
  isKey,
  isTemporaryName,
  splitPrefix,
  temporaryInPrefix,
  temporaryName,
} from './storage-key.js';
import type { Storage, StorageObject } from './storage.js';

export interface LocalStorageOptions {
  /**
   * The directory that holds the objects, a key's names being its folders and file: today's
   * `localDestination` layout (`database/2026-11-25/<id>.pgdump.zst`) reads through this unchanged.
   */
  directory: string;
  /**
   * Flush each file and its folder to disk before it becomes visible; off only for throwaway data.
   * @defaultValue true
   */
  fsync?: boolean;
  /** @defaultValue silent */
  logger?: BackupLogger;
}

const schema = z.strictObject({
  directory: z.string().check(z.minLength(1, 'must name a directory')),
  fsync: z._default(z.boolean(), true),
  logger: z.optional(z.custom<BackupLogger>((v) => typeof v === 'object' && v !== null, 'must be a logger')),
});

/**
 * A directory on this machine (or a mount). A write streams into `.<name>.<random>.partial` next
 * to its final name, is flushed to disk, renamed (atomic on one file system) and its folder
 * flushed, so a crash at any point leaves either the old object, the new one, or a temporary that
 * no listing shows. Files are 0600, folders 0700, as `localDestination` makes them.
 */
export function localStorage(options: LocalStorageOptions): Storage {
  const parsed = schema.safeParse(options, english);
  if (!parsed.success) throw new BackupOptionsError('local storage', zodProblems(parsed.error, 'local storage'));
  const root = resolve(parsed.data.directory);
  const { fsync } = parsed.data;
  const logger = parsed.data.logger ?? silentLogger;
  const label = root;
  const fail = (action: string, key: string, error: unknown): Error => fsError(action, key, label, error);

  return {
    label,

    async write(key, body, writeOptions = {}) {
      const segments = checkKey(key);
      const dir = join(root, ...segments.slice(0, -1));
      const final = join(dir, segments.at(-1)!);
      const temp = join(dir, temporaryName(segments.at(-1)!));
      const intake = takeIn(body, writeOptions.signal);
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await pipeline(intake.stream, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
        if (fsync) await syncPath(temp, 'r+');
        await rename(temp, final);
        if (fsync) await syncPath(dir, 'r');
      } catch (error) {
        intake.dispose();
        await rm(temp, { force: true }).catch((rmError: unknown) =>
          logger.warn({ err: rmError, path: temp }, 'storage: could not remove the temporary of a failed write'),
        );
        if (writeOptions.signal?.aborted) throw writeOptions.signal.reason;
        if (intake.failure() !== undefined) throw intake.failure();
        throw fsError(`writing "${key}"`, key, label, error, false);
      }
      intake.dispose();
      return { key, size: intake.stream.bytes, sha256: intake.stream.digest() };
    },

    async read(key, range) {
      const path = join(root, ...checkKey(key));
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(path, 'r');
      } catch (error) {
        throw fail(`reading "${key}"`, key, error);
      }
      try {
        const info = await handle.stat();
        if (!info.isFile()) throw new StorageNotFoundError(key, label);
        const { start, end, length } = resolveRange(range, info.size, key, label);
        if (length === 0) {
          await handle.close();
          return Readable.from([]);
        }
        return handle.createReadStream({ start, end, autoClose: true });
      } catch (error) {
        await handle.close();
        if (error instanceof StorageNotFoundError || error instanceof StorageRangeError) throw error;
        throw fail(`reading "${key}"`, key, error);
      }
    },

    async stat(key) {
      const path = join(root, ...checkKey(key));
      const info = await lstat(path).catch((error: unknown) => {
        throw fail(`stat of "${key}"`, key, error);
      });
      if (!info.isFile()) throw new StorageNotFoundError(key, label);
      return { key, size: info.size, modifiedAt: info.mtime };
    },

    async list(prefix = '') {
      const { folder, start } = splitPrefix(prefix);
      const found: StorageObject[] = [];
      const walk = async (segments: string[], depth: number): Promise<void> => {
        const dir = join(root, ...segments);
        for (const entry of await entriesOf(dir, label)) {
          if (entry.name.startsWith('.') || (depth === 0 && !entry.name.startsWith(start))) continue;
          const keySegments = [...segments, entry.name];
          if (entry.isDirectory()) {
            await walk(keySegments, depth + 1);
          } else if (entry.isFile()) {
            const key = keySegments.join('/');
            if (!isKey(key)) continue;
            const info = await lstat(join(root, key)).catch(() => undefined); // deleted meanwhile
            if (info?.isFile()) found.push({ key, size: info.size, modifiedAt: info.mtime });
          }
        }
      };
      await walk(folder, 0);
      return found.sort((a, b) => compareKeys(a.key, b.key));
    },

    async delete(key) {
      const path = join(root, ...checkKey(key));
      try {
        await unlink(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw fail(`deleting "${key}"`, key, error);
      }
    },

    async cleanupIncompleteUploads(olderThan, cleanupOptions = {}) {
      const prefix = cleanupOptions.prefix ?? '';
      // Only the folder the prefix names (and, at its level, names that start as it says) is walked.
      const { folder, start } = splitPrefix(prefix);
      const removed: string[] = [];
      const walk = async (segments: string[], depth: number): Promise<void> => {
        for (const entry of await entriesOf(join(root, ...segments), label)) {
          const path = join(root, ...segments, entry.name);
          if (entry.isDirectory() && !entry.name.startsWith('.')) {
            if (depth === 0 && !entry.name.startsWith(start)) continue;
            await walk([...segments, entry.name], depth + 1);
          } else if (entry.isFile() && isTemporaryName(entry.name)) {
            if (!temporaryInPrefix(segments, entry.name, prefix)) continue;
            const info = await lstat(path).catch(() => undefined);
            if (!info || info.mtime >= olderThan) continue;
            await rm(path, { force: true }).catch((error: unknown) => {
              throw fail('removing a leftover temporary', [...segments, entry.name].join('/'), error);
            });
            removed.push([...segments, entry.name].join('/'));
          }
        }
      };
      await walk(folder, 0);
      if (removed.length > 0)
        logger.info({ storage: label, removed }, 'storage: removed leftovers of unfinished writes');
      return removed;
    },

    async close() {},
  };
}

async function entriesOf(dir: string, label: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw fsError(`listing ${dir}`, dir, label, error);
  }
}

async function syncPath(path: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const DENIED = new Set(['EACCES', 'EPERM', 'EROFS']);
const PERMANENT = new Set(['ENOTDIR', 'EISDIR', 'ENAMETOOLONG', 'ELOOP']);

/** `missingIsNotFound`: ENOENT means the object is not there (false while writing, where it means a folder vanished). */
function fsError(action: string, key: string, label: string, error: unknown, missingIsNotFound = true): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'ENOENT' && missingIsNotFound) return new StorageNotFoundError(key, label, error);
  if (code && DENIED.has(code)) return new StorageAccessDeniedError(action, label, detail, error);
  return new StorageFailedError(action, label, detail, !(code && PERMANENT.has(code)), error);
}
