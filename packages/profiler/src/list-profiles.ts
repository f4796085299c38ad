import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ProfileFilterError, ProfileNotFoundError } from './errors.js';
import type { ProfileKind } from './events.js';
import { metadataExtension, parseProfileFileName, profileExtension } from './profile-file-name.js';
import type { ProfileMetadata } from './profile-metadata.js';
import { parseSince } from './parse-since.js';

export interface ProfileFilter {
  /** Only profiles of this url_name or task name (exact, as in the metadata). */
  name?: string;
  kind?: ProfileKind;
  /** Only profiles started at or after this: a Date, an ISO time or a duration back (`1h`, `2d`). */
  since?: Date | string;
  /** At most this many, the newest. */
  limit?: number;
  /** The time relative durations count back from. @defaultValue now */
  now?: Date;
}

/** One profile on disk, as `keepwatch profiles list` and the admin API show it. */
export interface ProfileEntry {
  /** The file name, which is also the id to download it by. */
  file: string;
  path: string;
  startedAt: Date;
  durationMs: number;
  kind: ProfileKind;
  /** url_name or task name, from the metadata (from the file name when the metadata is gone). */
  name: string;
  method?: string;
  status: string;
  pid: number;
  /** Size of the `.cpuprofile` file. */
  sizeBytes: number;
}

/**
 * The profiles in `directory` that match `filter`, newest first. A missing directory is an empty
 * list (nothing was profiled yet), not an error.
 */
export async function listProfiles(directory: string, filter: ProfileFilter = {}): Promise<ProfileEntry[]> {
  const since = filter.since === undefined ? undefined : parseSince(filter.since, filter.now);
  if (filter.limit !== undefined && !(Number.isInteger(filter.limit) && filter.limit > 0)) {
    throw new ProfileFilterError('limit', `must be a whole number above 0, got ${String(filter.limit)}`);
  }
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const candidates = names
    .filter((name) => name.endsWith(profileExtension))
    .map((name) => ({ name, fields: parseProfileFileName(name) }))
    .filter((c): c is { name: string; fields: NonNullable<typeof c.fields> } => c.fields !== undefined)
    .filter((c) => since === undefined || c.fields.startedAt >= since)
    .filter((c) => filter.kind === undefined || c.fields.kind === filter.kind)
    .sort((a, b) => b.fields.startedAt.getTime() - a.fields.startedAt.getTime() || (a.name < b.name ? 1 : -1));

  const entries: ProfileEntry[] = [];
  for (const { name, fields } of candidates) {
    if (filter.limit !== undefined && entries.length >= filter.limit) break;
    const path = join(directory, name);
    let sizeBytes: number;
    try {
      sizeBytes = (await stat(path)).size;
    } catch {
      continue; // evicted by a writer between readdir and stat
    }
    const metadata = await readMetadata(join(directory, fields.stem + metadataExtension));
    const entry: ProfileEntry = {
      file: name,
      path,
      startedAt: fields.startedAt,
      durationMs: metadata?.durationMs ?? fields.durationMs,
      kind: fields.kind,
      name: metadata?.name ?? fields.label,
      ...(metadata?.method === undefined ? {} : { method: metadata.method }),
      status: metadata?.status ?? fields.status,
      pid: fields.pid,
      sizeBytes,
    };
    if (filter.name !== undefined && entry.name !== filter.name) continue;
    entries.push(entry);
  }
  return entries;
}

/**
 * The path of a profile (or its `.meta.json`) named by a client, for the admin API's download.
 * Only names the profiler writes are accepted, so `../` and other files cannot be reached.
 * Throws `ProfileNotFoundError` otherwise.
 */
export async function resolveProfilePath(directory: string, file: string): Promise<string> {
  if (basename(file) !== file || parseProfileFileName(file) === undefined) {
    throw new ProfileNotFoundError(file, directory);
  }
  const path = join(resolve(directory), file);
  try {
    if ((await stat(path)).isFile()) return path;
  } catch (error) {
    throw new ProfileNotFoundError(file, directory, error);
  }
  throw new ProfileNotFoundError(file, directory);
}

async function readMetadata(path: string): Promise<ProfileMetadata | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<ProfileMetadata>;
    return typeof value.name === 'string' && typeof value.status === 'string' ? (value as ProfileMetadata) : undefined;
  } catch {
    return undefined;
  }
}
