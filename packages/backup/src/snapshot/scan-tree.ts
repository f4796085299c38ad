import { lstatSync, readdirSync, readlinkSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import type { BackupLogger } from '../logger.js';
import type { PathFilter } from './path-filter.js';
import type { TimeSlicer } from './run-helpers.js';

export interface ScannedEntry {
  /** `/`-separated, relative to the source; `''` for the source itself. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  stat: BigIntStats;
  /** A symlink's target, as written (never followed). */
  target?: string;
}

export interface ScannedTree {
  /** Directories first, parents before children; then files and symlinks. */
  dirs: ScannedEntry[];
  files: ScannedEntry[];
  symlinks: ScannedEntry[];
  /** Sockets, FIFOs, devices and names that are not UTF-8, left out. */
  skipped: number;
  /** Listed by readdir, gone by lstat. */
  vanished: number;
}

/**
 * Lists what the filter takes from `root`, without following symlinks. A directory is kept when
 * the filter takes it or anything below it, so parents of included files are always there.
 */
export async function scanTree(
  root: string,
  filter: PathFilter,
  slicer: TimeSlicer,
  logger?: BackupLogger,
): Promise<ScannedTree> {
  const rootStat = lstatSync(root, { bigint: true });
  if (!rootStat.isDirectory()) throw Object.assign(new Error(`${root} is not a directory`), { code: 'ENOTDIR' });
  const out: ScannedTree = { dirs: [], files: [], symlinks: [], skipped: 0, vanished: 0 };
  const dirs: ScannedEntry[] = [{ path: '', type: 'dir', stat: rootStat }];
  const keepDir = new Set<string>(['']);
  const stack = [''];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let names: string[];
    try {
      names = readdirSync(join(root, dir));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        out.vanished++;
        continue;
      }
      throw error;
    }
    for (const name of names) {
      await slicer.tick();
      const path = dir === '' ? name : `${dir}/${name}`;
      let stat: BigIntStats;
      try {
        stat = lstatSync(join(root, path), { bigint: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        out.vanished++;
        continue;
      }
      if (stat.isDirectory()) {
        if (filter.prunes(path)) continue;
        dirs.push({ path, type: 'dir', stat });
        if (filter.includes(path)) markKept(keepDir, path);
        stack.push(path);
        continue;
      }
      if (!filter.includes(path)) continue;
      // Names that are not valid UTF-8 come back from readdir with U+FFFD and could not be
      // opened again by that name; they are reported rather than copied under a wrong name.
      if (name.includes('\uFFFD')) {
        out.skipped++;
        logger?.warn({ path }, 'snapshot: skipped a name that is not valid UTF-8');
        continue;
      }
      if (stat.isFile()) out.files.push({ path, type: 'file', stat });
      else if (stat.isSymbolicLink())
        out.symlinks.push({ path, type: 'symlink', stat, target: readlinkSync(join(root, path)) });
      else {
        out.skipped++;
        logger?.debug({ path }, 'snapshot: skipped a socket, FIFO or device');
        continue;
      }
      markKept(keepDir, dir);
    }
  }
  out.dirs = dirs.filter((d) => keepDir.has(d.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

function markKept(kept: Set<string>, dir: string): void {
  let path = dir;
  while (!kept.has(path)) {
    kept.add(path);
    const slash = path.lastIndexOf('/');
    path = slash === -1 ? '' : path.slice(0, slash);
  }
}
