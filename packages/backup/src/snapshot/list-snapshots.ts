import { readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupOptionsError } from '../errors.js';
import type { BackupLogger } from '../logger.js';
import { applyRetention, type PruneOptions, type PruneReport } from '../retention/apply-retention.js';
import { SNAPSHOT_FORMAT, SNAPSHOT_SUMMARY } from './snapshot-index.js';

export interface ListedSnapshot {
  id: string;
  path: string;
  /** For one in progress: when its directory last changed. */
  finishedAt: Date;
  state: 'complete' | 'in-progress';
  /** Only for complete snapshots. */
  files?: number;
  bytesTotal?: number;
}

const PARTIAL = /^\.(.+)\.partial$/;
/** What a crashed run leaves: a snapshot being written, or one being deleted. */
const INCOMPLETE = /^\..+\.(partial|deleting)$/;

/**
 * Snapshots in a destination, oldest first: complete ones (a directory with a readable
 * `snapshot.json`) and those being written (`.<id>.partial`). Anything else is left out, and a
 * directory whose summary cannot be read is logged, not listed: a snapshot without its summary
 * is not a snapshot.
 */
export async function listSnapshots(destinationDir: string, logger?: BackupLogger): Promise<ListedSnapshot[]> {
  const names = await readdir(destinationDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const out: ListedSnapshot[] = [];
  for (const name of names) {
    const path = join(destinationDir, name);
    const partial = PARTIAL.exec(name);
    if (partial) {
      const info = await stat(path).catch(() => undefined);
      if (info?.isDirectory()) out.push({ id: partial[1]!, path, finishedAt: info.mtime, state: 'in-progress' });
      continue;
    }
    if (name.startsWith('.')) continue;
    try {
      const summary = JSON.parse(await readFile(join(path, SNAPSHOT_SUMMARY), 'utf8')) as Record<string, unknown>;
      const finishedAt = new Date(String(summary.finishedAt));
      if (summary.format !== SNAPSHOT_FORMAT || summary.id !== name || Number.isNaN(finishedAt.getTime()))
        throw new Error('not a keepwatch snapshot summary');
      out.push({
        id: name,
        path,
        finishedAt,
        state: 'complete',
        files: Number(summary.files),
        bytesTotal: Number(summary.bytesTotal),
      });
    } catch (error) {
      logger?.warn({ path, err: error }, 'snapshot: skipped a directory without a readable summary');
    }
  }
  return out.sort((a, b) => a.finishedAt.getTime() - b.finishedAt.getTime() || (a.id < b.id ? -1 : 1));
}

/**
 * Deletes one snapshot. It is renamed to `.<id>.deleting` first, so it stops being listed at
 * once and a crash half-way never leaves something that looks like a complete snapshot. Other
 * snapshots are unaffected: they hold their own links to shared files.
 */
export async function removeSnapshot(destinationDir: string, id: string): Promise<void> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id)) {
    throw new BackupOptionsError('snapshot id', [`${JSON.stringify(id.slice(0, 100))} is not a snapshot id`]);
  }
  const doomed = join(destinationDir, `.${id}.deleting`);
  await rename(join(destinationDir, id), doomed);
  await rm(doomed, { recursive: true, force: true });
}

/**
 * Deletes what crashed runs left in a destination (`.<id>.partial`, `.<id>.deleting`) and
 * returns their names. Only while holding the source's lock: a `.partial` is otherwise a
 * snapshot another process is writing.
 */
export async function removeIncompleteSnapshots(destinationDir: string): Promise<string[]> {
  const names = await readdir(destinationDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const doomed = names.filter((name) => INCOMPLETE.test(name));
  for (const name of doomed) await rm(join(destinationDir, name), { recursive: true, force: true });
  return doomed;
}

export interface PruneSnapshotsOptions extends PruneOptions {
  destinationDir: string;
}

export type PruneSnapshotsReport = PruneReport;

/** Applies a retention policy to the snapshots of one destination (see `selectForRetention`). */
export async function pruneSnapshots(options: PruneSnapshotsOptions): Promise<PruneSnapshotsReport> {
  const snapshots = await listSnapshots(options.destinationDir, options.logger);
  return applyRetention(snapshots, options, 'snapshot', (id) => removeSnapshot(options.destinationDir, id));
}
