import {
  chmodSync,
  chownSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  lutimesSync,
  utimesSync,
  type BigIntStats,
} from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { IndexEntry } from './snapshot-index.js';

/** Owners can only be given back by root; anyone else gets the files as their own. */
export const canChown = typeof process.getuid === 'function' && process.getuid() === 0;

/** The index's view of a stat. */
export function metadataOf(stat: BigIntStats): Pick<IndexEntry, 'mode' | 'uid' | 'gid' | 'mtimeNs' | 'atimeNs'> {
  return {
    mode: Number(stat.mode & 0o7777n),
    uid: Number(stat.uid),
    gid: Number(stat.gid),
    mtimeNs: stat.mtimeNs.toString(),
    atimeNs: stat.atimeNs.toString(),
  };
}

/**
 * Seconds as a double, as Node's utimes family wants them. A double near today's epoch seconds
 * resolves ~0.24 µs, so restored times match to the microsecond, not the nanosecond (Node has no
 * utimensat with a timespec).
 */
export function seconds(ns: string): number {
  const value = BigInt(ns);
  return Number(value / 1_000_000_000n) + Number(value % 1_000_000_000n) / 1e9;
}

/** Owner first: chown clears setuid/setgid bits, so the mode goes on after it. */
export async function applyToHandle(handle: FileHandle, entry: IndexEntry): Promise<void> {
  if (canChown) await handle.chown(entry.uid, entry.gid);
  await handle.chmod(entry.mode);
  await handle.utimes(seconds(entry.atimeNs), seconds(entry.mtimeNs));
}

export function applyToFd(fd: number, entry: IndexEntry): void {
  if (canChown) fchownSync(fd, entry.uid, entry.gid);
  fchmodSync(fd, entry.mode);
  futimesSync(fd, seconds(entry.atimeNs), seconds(entry.mtimeNs));
}

/** For directories, after everything inside them is written (a write changes a directory's mtime). */
export function applyToDirectory(path: string, entry: IndexEntry): void {
  if (canChown) chownSync(path, entry.uid, entry.gid);
  chmodSync(path, entry.mode);
  utimesSync(path, seconds(entry.atimeNs), seconds(entry.mtimeNs));
}

/** A symlink's own owner and times; its mode means nothing on Linux and is left alone. */
export function applyToSymlink(path: string, entry: IndexEntry): void {
  if (canChown) lchownSync(path, entry.uid, entry.gid);
  lutimesSync(path, seconds(entry.atimeNs), seconds(entry.mtimeNs));
}
