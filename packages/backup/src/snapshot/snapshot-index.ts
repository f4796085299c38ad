import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { english } from '../zod-problems.js';
import { SnapshotInvalidError } from './errors.js';

export const SNAPSHOT_FORMAT = 'keepwatch-snapshot';
export const SNAPSHOT_VERSION = 1;

/** Inside a snapshot directory: the copied tree, the per-entry index, the summary (written last). */
export const SNAPSHOT_TREE = 'tree';
export const SNAPSHOT_INDEX = 'index.ndjson';
export const SNAPSHOT_SUMMARY = 'snapshot.json';

/**
 * One entry of the tree as it was in the source: the truth a restore applies and a verify checks,
 * whatever happened to the inodes since (hard-linked files share theirs with older snapshots).
 * Times are nanoseconds since the epoch as decimal strings, since JSON numbers cannot hold them.
 */
export type IndexEntry =
  | (EntryBase & { type: 'file'; size: number; sha256: string })
  | (EntryBase & { type: 'dir' })
  | (EntryBase & { type: 'symlink'; target: string });

interface EntryBase {
  /** `/`-separated, relative to the tree; `''` is the tree's root (the source directory). */
  path: string;
  /** Permission bits, setuid/setgid/sticky included (`mode & 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  mtimeNs: string;
  atimeNs: string;
}

const nanos = z.string().check(z.regex(/^-?\d+$/));
const base = {
  path: z.string().check(
    z.refine(
      (p) => p === '' || (!p.startsWith('/') && !p.split('/').some((s) => s === '' || s === '.' || s === '..')),
      {
        message: 'must be a relative path without "." or ".." segments',
      },
    ),
  ),
  mode: z.int().check(z.minimum(0), z.maximum(0o7777)),
  uid: z.int().check(z.minimum(0)),
  gid: z.int().check(z.minimum(0)),
  mtimeNs: nanos,
  atimeNs: nanos,
};
const entrySchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...base,
    type: z.literal('file'),
    size: z.int().check(z.minimum(0)),
    sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  }),
  z.strictObject({ ...base, type: z.literal('dir') }),
  z.strictObject({ ...base, type: z.literal('symlink'), target: z.string().check(z.minLength(1)) }),
]);

/** What `takeSnapshot` returns and also writes, as `snapshot.json`, once the snapshot is complete. */
export interface SnapshotSummary {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  id: string;
  /** The id of the snapshot unchanged files were hard-linked from. */
  previous: string | null;
  startedAt: string;
  finishedAt: string;
  include: string[];
  exclude: string[];
  /** Regular files in the snapshot. */
  files: number;
  /** Directories, the root included. */
  dirs: number;
  symlinks: number;
  /** Sockets, FIFOs and devices met in the source and left out. */
  skipped: number;
  /** Files listed by the scan that were gone when their turn to be copied came. */
  vanished: number;
  /** Size of all files in the snapshot. */
  bytesTotal: number;
  /** Bytes read from the source and written: 0 for an unchanged tree with a previous snapshot. */
  bytesCopied: number;
  filesCopied: number;
  filesLinked: number;
  /** sha256 of `index.ndjson`, so a swapped or truncated index is noticed. */
  indexSha256: string;
}

const summarySchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  version: z.literal(SNAPSHOT_VERSION),
  id: z.string().check(z.minLength(1)),
  previous: z.nullable(z.string()),
  startedAt: z.string(),
  finishedAt: z.string(),
  include: z.array(z.string()),
  exclude: z.array(z.string()),
  files: z.int().check(z.minimum(0)),
  dirs: z.int().check(z.minimum(0)),
  symlinks: z.int().check(z.minimum(0)),
  skipped: z.int().check(z.minimum(0)),
  vanished: z.int().check(z.minimum(0)),
  bytesTotal: z.int().check(z.minimum(0)),
  bytesCopied: z.int().check(z.minimum(0)),
  filesCopied: z.int().check(z.minimum(0)),
  filesLinked: z.int().check(z.minimum(0)),
  indexSha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
});

/** One JSON object a line, sorted by path, so two indexes diff line by line. */
export function serializeIndex(entries: IndexEntry[]): string {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  let out = '';
  for (const entry of sorted) out += `${JSON.stringify(entry)}\n`;
  return out;
}

export function parseIndex(text: string, where: string): IndexEntry[] {
  const entries: IndexEntry[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  for (const [number, line] of lines.entries()) {
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push(`line ${number + 1}: not JSON`);
      continue;
    }
    const result = entrySchema.safeParse(value, english);
    if (result.success) entries.push(result.data as IndexEntry);
    else
      problems.push(
        `line ${number + 1}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join(', ')}`,
      );
  }
  if (problems.length > 0) throw new SnapshotInvalidError(where, problems);
  return entries;
}

export interface LoadedSnapshot {
  dir: string;
  summary: SnapshotSummary;
  entries: IndexEntry[];
}

/** Reads and checks a complete snapshot's summary and index. */
export async function loadSnapshot(dir: string): Promise<LoadedSnapshot> {
  let summaryText: string;
  let indexBytes: Buffer;
  try {
    [summaryText, indexBytes] = await Promise.all([
      readFile(join(dir, SNAPSHOT_SUMMARY), 'utf8'),
      readFile(join(dir, SNAPSHOT_INDEX)),
    ]);
  } catch (error) {
    throw new SnapshotInvalidError(
      dir,
      [`cannot read ${SNAPSHOT_SUMMARY} and ${SNAPSHOT_INDEX} (${(error as Error).message})`],
      error,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(summaryText);
  } catch (error) {
    throw new SnapshotInvalidError(dir, [`${SNAPSHOT_SUMMARY} is not JSON`], error);
  }
  const parsed = summarySchema.safeParse(raw, english);
  if (!parsed.success) {
    throw new SnapshotInvalidError(
      dir,
      parsed.error.issues.map((i) => `${SNAPSHOT_SUMMARY} ${i.path.join('.')}: ${i.message}`),
    );
  }
  const summary = parsed.data as SnapshotSummary;
  const actual = createHash('sha256').update(indexBytes).digest('hex');
  if (actual !== summary.indexSha256) {
    throw new SnapshotInvalidError(dir, [
      `${SNAPSHOT_INDEX} has sha256 ${actual}, the summary says ${summary.indexSha256}`,
    ]);
  }
  return { dir, summary, entries: parseIndex(indexBytes.toString('utf8'), join(dir, SNAPSHOT_INDEX)) };
}
