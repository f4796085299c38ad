import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { relativeInside } from '@keepwatch/conventions';
import * as z from 'zod/mini';
import { isValidSourceName, parseBackupId } from './backup-id.js';
import type { Destination, DestinationWriter } from './destination.js';
import { BackupIoError, BackupManifestError, BackupNotFoundError, BackupOptionsError } from '../errors.js';
import { silentLogger, type BackupLogger } from '../logger.js';
import { parseManifest, serializeManifest, type BackupManifest } from './manifest.js';
import { english, zodProblems } from '../zod-problems.js';

export interface LocalDestinationOptions {
  /**
   * Directory that holds the backups, laid out as `<source>/<YYYY-MM-DD>/<id>.<ext>` next to
   * `<id>.manifest.json`, so `ls` finds a backup by source and day.
   */
  directory: string;
  /**
   * The keepwatch data directory. `directory` may not be inside it: a backup that lives with
   * what it backs up is lost with it.
   * @defaultValue undefined (not checked)
   */
  dataDirectory?: string;
  /** @defaultValue silent */
  logger?: BackupLogger;
}

const optionsSchema = z.object({
  directory: z.string().check(z.minLength(1, 'must name a directory')),
  dataDirectory: z.optional(z.string().check(z.minLength(1))),
});

const MANIFEST_SUFFIX = '.manifest.json';
const PARTIAL_SUFFIX = '.partial';
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const FILE_NAME = /^[a-z0-9][a-z0-9_-]*-\d{8}T\d{6}Z-[a-z0-9]{6}\.[A-Za-z0-9._-]+$/;

/** A destination whose files are on this machine, so a tool (rsync) can copy them as they are. */
export interface LocalDestination extends Destination {
  /** Where a backup's file and its manifest lie; this layout is known here only. */
  pathsOf(manifest: BackupManifest): { file: string; manifest: string };
}

/** A directory on a local (or mounted) file system. */
export function localDestination(options: LocalDestinationOptions): LocalDestination {
  const parsed = optionsSchema.safeParse(options, english);
  const problems = parsed.success ? [] : zodProblems(parsed.error, 'backup destination');
  const root = resolve(options.directory ?? '.');
  if (options.dataDirectory) {
    if (relativeInside(options.dataDirectory, root) !== undefined) {
      problems.push(
        `directory: "${root}" is inside the data directory "${resolve(options.dataDirectory)}"; choose a directory outside it`,
      );
    }
  }
  if (problems.length > 0) throw new BackupOptionsError('backup destination', problems);
  const logger = options.logger ?? silentLogger;

  /** Every path goes through here: it may never leave `root`. */
  const inside = (...parts: string[]): string => {
    const path = resolve(root, ...parts);
    if (!relativeInside(root, path))
      throw new BackupIoError('use', path, new Error('path leaves the backup directory'));
    return path;
  };
  const dayDir = (id: string): string => {
    const { source, day } = parseBackupId(id);
    return inside(source, day);
  };
  const fileIn = (id: string, fileName: string): string => {
    const dir = dayDir(id);
    if (!FILE_NAME.test(fileName) || !fileName.startsWith(`${id}.`)) {
      throw new BackupIoError('use', fileName, new Error(`file name must start with "${id}."`));
    }
    return join(dir, fileName);
  };

  const manifestPath = (id: string): string => join(dayDir(id), `${id}${MANIFEST_SUFFIX}`);

  return {
    label: root,

    pathsOf(manifest) {
      return { file: fileIn(manifest.id, manifest.file), manifest: manifestPath(manifest.id) };
    },

    async createWriter(id, fileName): Promise<DestinationWriter> {
      const final = fileIn(id, fileName);
      const dir = dayDir(id);
      const temp = join(dir, `.${fileName}${PARTIAL_SUFFIX}`);
      await io('create', dir, () => mkdir(dir, { recursive: true, mode: 0o700 }));
      const stream = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
      let finished = false;
      return {
        stream,
        async commit() {
          await io('write', final, async () => {
            await fsyncFile(temp);
            await rename(temp, final);
            await fsyncDir(dir);
          });
          finished = true;
        },
        async abort() {
          if (finished) return;
          finished = true;
          stream.destroy();
          await rm(temp, { force: true });
        },
      };
    },

    async writeManifest(manifest) {
      const dir = dayDir(manifest.id);
      const final = manifestPath(manifest.id);
      const temp = join(dir, `.${manifest.id}${MANIFEST_SUFFIX}${PARTIAL_SUFFIX}`);
      await io('write', final, async () => {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await writeFile(temp, serializeManifest(manifest), { mode: 0o600 });
        await fsyncFile(temp);
        await rename(temp, final);
        await fsyncDir(dir);
      });
    },

    async readManifest(id) {
      const path = manifestPath(id);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if (isNotFound(error)) throw new BackupNotFoundError(id, root, error);
        throw new BackupIoError('read', path, error);
      }
      const manifest = parseManifest(text, path);
      if (manifest.id !== id) throw new BackupManifestError(path, [`id: says "${manifest.id}"`]);
      return manifest;
    },

    async listManifests(filter = {}) {
      const manifests: BackupManifest[] = [];
      const sources = filter.source ? [filter.source] : await names(root);
      for (const source of sources) {
        if (!isValidSourceName(source)) continue;
        for (const day of await names(inside(source))) {
          if (!DAY.test(day)) continue;
          const dir = inside(source, day);
          for (const name of await names(dir)) {
            if (name.startsWith('.') || !name.endsWith(MANIFEST_SUFFIX)) continue;
            const path = join(dir, name);
            try {
              const manifest = parseManifest(await readFile(path, 'utf8'), path);
              if (`${manifest.id}${MANIFEST_SUFFIX}` !== name || manifest.source !== source) {
                throw new BackupManifestError(path, ['id or source does not match its place']);
              }
              manifests.push(manifest);
            } catch (error) {
              logger.warn({ err: error, path }, 'skipping an unreadable backup manifest');
            }
          }
        }
      }
      return manifests.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
    },

    async openFile(manifest): Promise<Readable> {
      const path = fileIn(manifest.id, manifest.file);
      await stat(path).catch((error: unknown) => {
        if (isNotFound(error))
          throw new BackupNotFoundError(manifest.id, `${root} (its file ${manifest.file} is missing)`, error);
        throw new BackupIoError('read', path, error);
      });
      return createReadStream(path);
    },

    async removeIncomplete(source) {
      if (!isValidSourceName(source)) return [];
      const removed: string[] = [];
      for (const day of await names(inside(source))) {
        if (!DAY.test(day)) continue;
        const dir = inside(source, day);
        const entries = await names(dir);
        const complete = new Set(
          entries
            .filter((n) => !n.startsWith('.') && n.endsWith(MANIFEST_SUFFIX))
            .map((n) => n.slice(0, -MANIFEST_SUFFIX.length)),
        );
        for (const name of entries) {
          const leftover =
            name.endsWith(PARTIAL_SUFFIX) || (!name.endsWith(MANIFEST_SUFFIX) && !complete.has(name.split('.')[0]!));
          if (!leftover) continue;
          const path = join(dir, name);
          await io('remove', path, () => rm(path, { force: true }));
          removed.push(path);
        }
      }
      if (removed.length > 0) logger.info({ source, removed }, 'removed leftovers of unfinished backups');
      return removed;
    },

    async remove(id) {
      const dir = dayDir(id);
      const manifest = manifestPath(id);
      await io('remove', manifest, () => rm(manifest, { force: true }));
      for (const name of await names(dir)) {
        if (name.startsWith(`${id}.`)) await io('remove', join(dir, name), () => rm(join(dir, name), { force: true }));
      }
    },
  };
}

async function names(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if (isNotFound(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw new BackupIoError('list', dir, error);
  }
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A rename is durable only once its directory is synced. */
async function fsyncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function io<T>(action: string, path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new BackupIoError(action, path, error);
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
