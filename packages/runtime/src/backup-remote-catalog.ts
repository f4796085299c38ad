// The disaster drill: what `[backup] remote` holds, and one backup of it fetched for a restore or a
// verify, on a machine whose own backups are gone. Read-only on the remote; no config in here, so
// the logic can move into @keepwatch/backup with the rest of the lifecycle.
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  BackupNotFoundError,
  isValidSourceName,
  localDestination,
  parseBackupId,
  parseManifest,
  RemoteNotFoundError,
  type BackupLogger,
  type BackupManifest,
  type LocalDestination,
  type RemoteDestination,
} from '@keepwatch/backup';

const MANIFEST_SUFFIX = '.manifest.json';
/** The data snapshots' folder on the remote, as `copyBackupToRemote` pushes them. */
const DATA = 'data';

/** A data snapshot as the remote lists it: what its listing says, without fetching it. */
export interface RemoteSnapshotEntry {
  id: string;
  source: 'data';
  kind: 'data';
  /** ISO time, from the id. */
  startedAt: string;
  /** ISO time the remote stored it (the push), as the remote reports it. */
  storedAt: string;
}

export interface RemoteBackupCatalog {
  /** The remote's label (never a secret). */
  remote: string;
  /** Database backups whose manifest and file the remote holds, oldest first. */
  databases: BackupManifest[];
  /** Complete data snapshots, oldest first. */
  snapshots: RemoteSnapshotEntry[];
}

export interface RemoteCatalogOptions {
  /**
   * A directory to fetch manifests into, inside a scratch folder of its own that is removed
   * afterwards: `[backup] destination` (created 0700 when missing).
   */
  scratchParent: string;
  /** Only this source: `data` for the snapshots, any other name for its database backups. @defaultValue every source */
  source?: string;
  /** Told about manifests that cannot be read. @defaultValue none */
  logger?: BackupLogger;
}

/**
 * Every complete backup on the remote: a database backup is listed by its manifest, which is
 * pushed after its file, so a listed one is whole; a data snapshot by the remote's listing of
 * `data/`, which shows only snapshots whose push finished. An interrupted push shows nothing.
 */
export async function listRemoteBackups(
  remote: RemoteDestination,
  options: RemoteCatalogOptions,
): Promise<RemoteBackupCatalog> {
  const { source, logger } = options;
  const folders = (await remote.list()).filter((e) => e.type === 'dir').map((e) => e.name);
  const sources = folders.filter(
    (name) => name !== DATA && isValidSourceName(name) && (source === undefined || source === name),
  );
  const databases: BackupManifest[] = [];
  if (sources.length > 0) {
    await withScratch(options.scratchParent, async (scratch) => {
      for (const name of sources) {
        const entries = await remote.list(name);
        const files = new Set(entries.filter((e) => e.type === 'file').map((e) => e.name));
        for (const file of files) {
          if (!file.endsWith(MANIFEST_SUFFIX)) continue;
          const local = join(scratch, file);
          try {
            await remote.pull(`${name}/${file}`, local);
            const manifest = parseManifest(await readFile(local, 'utf8'), `${remote.label}/${name}/${file}`);
            if (`${manifest.id}${MANIFEST_SUFFIX}` !== file || manifest.source !== name)
              throw new Error('its id or source does not match its place');
            if (!files.has(manifest.file)) throw new Error(`its file ${manifest.file} is not there`);
            databases.push(manifest);
          } catch (error) {
            logger?.warn({ err: error, remote: remote.label, path: `${name}/${file}` }, 'skipping a remote manifest');
          } finally {
            await rm(local, { force: true });
          }
        }
      }
    });
  }
  const snapshots: RemoteSnapshotEntry[] = [];
  if (folders.includes(DATA) && (source === undefined || source === DATA)) {
    for (const entry of await remote.list(DATA)) {
      if (entry.type !== 'dir') continue;
      const parsed = tryParseId(entry.name);
      if (parsed?.source !== DATA) continue;
      snapshots.push({
        id: entry.name,
        source: 'data',
        kind: 'data',
        startedAt: parsed.startedAt.toISOString(),
        storedAt: entry.modifiedAt.toISOString(),
      });
    }
  }
  databases.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  snapshots.sort((a, b) => a.id.localeCompare(b.id));
  return { remote: remote.label, databases, snapshots };
}

/** Both kinds in one list, oldest first (by when each backup started). */
export function remoteCatalogOldestFirst(catalog: RemoteBackupCatalog): (BackupManifest | RemoteSnapshotEntry)[] {
  return [...catalog.databases, ...catalog.snapshots].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** A backup fetched from the remote, in the local layout: use it like a local one, inside the callback only. */
export type FetchedBackup =
  | { kind: 'database'; id: string; destination: LocalDestination; manifest: BackupManifest }
  | { kind: 'data'; id: string; snapshotDir: string };

/**
 * Fetches backup `id` from the remote into a scratch folder in `scratchParent`
 * (`.remote-<pid>-<host>-<random>`: a dot name, which no local listing, retention or leftover
 * cleanup reads), hands it to `use` and removes the folder afterwards, whatever `use` does; one
 * a killed process left is removed by the next fetch on this machine. A database backup comes as
 * a destination of its own holding just it, so `verifyBackup` and `restoreBackup` read it as
 * they read a local one (checking its SHA-256 against the manifest); a data snapshot as its
 * directory, the remote having checked every file's SHA-256 as it wrote it.
 * `BackupNotFoundError` when the remote does not hold it.
 */
export async function withRemoteBackup<T>(
  remote: RemoteDestination,
  id: string,
  scratchParent: string,
  use: (fetched: FetchedBackup) => Promise<T>,
): Promise<T> {
  const { source, day } = parseBackupId(id);
  return withScratch(scratchParent, async (scratch) => {
    const missing = (error: unknown): never => {
      if (error instanceof RemoteNotFoundError) throw new BackupNotFoundError(id, remote.label, error);
      throw error;
    };
    if (source === DATA) {
      const snapshotDir = join(scratch, DATA, id);
      await mkdir(join(scratch, DATA), { mode: 0o700 });
      await remote.pull(`${DATA}/${id}`, snapshotDir).catch(missing);
      return use({ kind: 'data', id, snapshotDir });
    }
    const destination = localDestination({ directory: scratch });
    await mkdir(join(scratch, source, day), { recursive: true, mode: 0o700 });
    await remote
      .pull(`${source}/${id}${MANIFEST_SUFFIX}`, join(scratch, source, day, `${id}${MANIFEST_SUFFIX}`))
      .catch(missing);
    const manifest = await destination.readManifest(id);
    await remote.pull(`${source}/${manifest.file}`, destination.pathsOf(manifest).file).catch(missing);
    return use({ kind: 'database', id, destination, manifest });
  });
}

const SCRATCH = /^\.remote-(\d+)-(.*)-[A-Za-z0-9]{6}$/;
/** This machine, in a scratch folder's name: a destination on a shared mount is seen by other machines' processes too. */
const HOST = hostname()
  .replace(/[^A-Za-z0-9.]/g, '_')
  .slice(0, 64);

/**
 * A scratch folder `<parent>/.remote-<pid>-<host>-<random>/` for the callback, removed afterwards.
 * The pid and host in the name let a later fetch on this machine remove what a process killed
 * with `kill -9` left: a folder whose process is gone; one whose pid is alive (perhaps reused),
 * or of another machine, is left alone.
 */
async function withScratch<T>(parent: string, use: (dir: string) => Promise<T>): Promise<T> {
  await mkdir(parent, { recursive: true, mode: 0o700 });
  for (const name of await readdir(parent)) {
    const match = SCRATCH.exec(name);
    if (match && match[2] === HOST && !isAlive(Number(match[1])))
      await rm(join(parent, name), { recursive: true, force: true });
  }
  const dir = await mkdtemp(join(parent, `.remote-${process.pid}-${HOST}-`));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryParseId(name: string): ReturnType<typeof parseBackupId> | undefined {
  try {
    return parseBackupId(name);
  } catch {
    return undefined;
  }
}
