import { posix } from 'node:path';
import * as z from 'zod/mini';
import { english } from '../zod-problems.js';

/**
 * How `storageRemote` keeps a pushed directory (a data snapshot) on a `Storage`, restic's shape in
 * small: the files' bytes as content-addressed objects shared by every snapshot, and one index per
 * snapshot that says what the tree was. For a push to `data/<id>`:
 *
 *     data/objects/<first 2 hex>/<sha256>   a regular file's bytes, keyed by their SHA-256;
 *                                           written once, whatever path or snapshot holds them
 *     data/snapshots/<id>.ndjson            the index, written LAST: line 1 the header (format,
 *                                           id, when, file count, total bytes), then one entry
 *                                           a line (path, type, mode, mtime, size, sha256, link)
 *
 * A snapshot exists once its index does, and the index is written only after every object it
 * names is stored, so a push that fails or is killed leaves no snapshot (at most objects the next
 * push reuses, or `remove` collects). Names, modes, times and link targets live only in the index,
 * never in a key, so a file of the tree may have any name (dotfiles included) while every key
 * passes the storage's key rules. `remove` deletes the index first, then each object no remaining
 * index names. Hard links inside one tree come back as separate files; owners are not kept.
 */
export const TREE_FORMAT = 'keepwatch-remote-tree';
export const TREE_VERSION = 1;

export const OBJECTS = 'objects';
export const SNAPSHOTS = 'snapshots';
export const INDEX_SUFFIX = '.ndjson';
const SHA256 = /^[0-9a-f]{64}$/;
const OBJECT_KEY = /^objects\/([0-9a-f]{2})\/([0-9a-f]{64})$/;
const INDEX_KEY = /^snapshots\/([A-Za-z0-9_][A-Za-z0-9._-]*)\.ndjson$/;

/** The keys of the snapshots kept in one remote folder (`''` is the root). */
export interface TreeLayout {
  /** `data/` (or `''` at the root). */
  readonly base: string;
  objectKey(sha256: string): string;
  indexKey(id: string): string;
  /** `data/objects/`: every object of this folder. */
  readonly objectsPrefix: string;
  /** `data/snapshots/`: every index of this folder. */
  readonly indexesPrefix: string;
}

export function treeLayout(folder: string[]): TreeLayout {
  const base = folder.length === 0 ? '' : `${folder.join('/')}/`;
  return {
    base,
    objectKey: (sha256) => `${base}${OBJECTS}/${sha256.slice(0, 2)}/${sha256}`,
    indexKey: (id) => `${base}${SNAPSHOTS}/${id}${INDEX_SUFFIX}`,
    objectsPrefix: `${base}${OBJECTS}/`,
    indexesPrefix: `${base}${SNAPSHOTS}/`,
  };
}

/** For a key relative to the folder: the snapshot id when it is an index, `'object'` for an object, else undefined. */
export function machineryOf(relative: string): { index: string } | 'object' | undefined {
  const index = INDEX_KEY.exec(relative);
  if (index) return { index: index[1]! };
  const object = OBJECT_KEY.exec(relative);
  if (object && object[2]!.startsWith(object[1]!)) return 'object';
  return undefined;
}

export const treeHeaderSchema = z.object({
  format: z.literal(TREE_FORMAT),
  version: z.literal(TREE_VERSION),
  id: z.string(),
  createdAt: z.string(),
  files: z.int().check(z.minimum(0)),
  totalBytes: z.int().check(z.minimum(0)),
});
export type TreeHeader = z.infer<typeof treeHeaderSchema>;

// A path inside the tree: "." (the root) or "/"-separated names, none empty, "." or "..".
const treePath = z
  .string()
  .check(
    z.refine(
      (p) =>
        p === '.' ||
        (p.length > 0 && !p.includes('\0') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..')),
      'must be "." or a relative path without "", "." or ".." names',
    ),
  );

export const treeEntrySchema = z.discriminatedUnion('type', [
  z.object({ path: treePath, type: z.literal('dir'), mode: z.int(), mtimeNs: z.string().check(z.regex(/^\d+$/)) }),
  z.object({
    path: treePath,
    type: z.literal('file'),
    mode: z.int(),
    mtimeNs: z.string().check(z.regex(/^\d+$/)),
    size: z.int().check(z.minimum(0)),
    sha256: z.string().check(z.regex(SHA256)),
  }),
  z.object({
    path: treePath,
    type: z.literal('symlink'),
    mode: z.int(),
    mtimeNs: z.string().check(z.regex(/^\d+$/)),
    target: z.string().check(z.minLength(1)),
  }),
]);
export type TreeEntry = z.infer<typeof treeEntrySchema>;

/** `a/b/c` → `a/b`, `a` → `.`. */
export function parentOf(path: string): string {
  const parent = posix.dirname(path);
  return parent === '' ? '.' : parent;
}

/** The index as stored: the header line, then the entries, parents before children. */
export function serializeTree(header: TreeHeader, entries: TreeEntry[]): string {
  return `${[header, ...entries].map((line) => JSON.stringify(line)).join('\n')}\n`;
}

/** Parses an index; throws a plain `Error` saying what is wrong (the caller names the snapshot). */
export function parseTree(text: string): { header: TreeHeader; entries: TreeEntry[] } {
  const lines = text.split('\n').filter((line) => line !== '');
  if (lines.length === 0) throw new Error('the index is empty');
  const header = parseHeaderLine(lines[0]!);
  const entries: TreeEntry[] = [];
  const dirs = new Set<string>();
  const seen = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    let value: unknown;
    try {
      value = JSON.parse(lines[i]!);
    } catch {
      throw new Error(`line ${i + 1} of the index is not JSON`);
    }
    const parsed = treeEntrySchema.safeParse(value, english);
    if (!parsed.success)
      throw new Error(`line ${i + 1} of the index is not an entry: ${parsed.error.issues[0]?.message}`);
    const entry = parsed.data;
    if (entry.path === '.' ? entry.type !== 'dir' || i !== 1 : !dirs.has(parentOf(entry.path)))
      throw new Error(`line ${i + 1} of the index ("${entry.path}") comes before its folder`);
    if (seen.has(entry.path)) throw new Error(`line ${i + 1} of the index repeats "${entry.path}"`);
    seen.add(entry.path);
    if (entry.type === 'dir') dirs.add(entry.path);
    entries.push(entry);
  }
  if (entries[0]?.path !== '.') throw new Error('the index has no root folder');
  return { header, entries };
}

export function parseHeaderLine(line: string): TreeHeader {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error('the index header is not JSON');
  }
  const parsed = treeHeaderSchema.safeParse(value, english);
  if (!parsed.success) throw new Error(`the index header is not a ${TREE_FORMAT} v${TREE_VERSION} header`);
  return parsed.data;
}
