import { isAbsolute } from 'node:path';
import * as z from 'zod/mini';
import { BackupOptionsError } from '../errors.js';
import type { BackupLogger } from '../logger.js';
import { english, zodProblems } from '../zod-problems.js';

/** What a snapshot, restore or verify reports while it runs (at most every `progressIntervalMs`, and once at the end). */
export interface SnapshotProgress {
  phase: 'scan' | 'copy' | 'finish';
  /** Entries handled so far (files, directories, symlinks). */
  entriesDone: number;
  /** Entries in the tree; known once the scan is over, 0 before. */
  entriesTotal: number;
  bytesCopied: number;
  bytesTotal: number;
}

export type SnapshotProgressListener = (progress: SnapshotProgress) => void;

/** Shared by snapshot, restore and verify. */
export interface SnapshotRunOptions {
  /** Files copied or hashed at once. @defaultValue 4 */
  concurrency?: number;
  /** Least time between two progress reports. @defaultValue 250 */
  progressIntervalMs?: number;
  onProgress?: SnapshotProgressListener;
  /** A pino logger or anything with its methods. @defaultValue a silent logger */
  logger?: BackupLogger;
  /** Stops the run; what was written so far is removed. */
  signal?: AbortSignal;
}

export interface TakeSnapshotOptions extends SnapshotRunOptions {
  /** The data directory (`[data] dir`). */
  sourceDir: string;
  /** Where snapshots are kept, one directory each (`[backup.data] destination`). */
  destinationDir: string;
  /**
   * The new snapshot's directory name.
   * @defaultValue a backup id, `data-<YYYYMMDDTHHMMSSZ>-<6 chars>`
   */
  id?: string;
  /**
   * The snapshot to hard-link unchanged files from: a path, or a name inside `destinationDir`.
   * Without it every file is copied.
   * @defaultValue undefined
   */
  previous?: string;
  /** Globs of what to take (see `createPathFilter`). @defaultValue ['.secret', 'media/**'] */
  include?: string[];
  /** Globs of what to leave out, even when included. @defaultValue ['profiles/**', 'cache/**', '*.tmp'] */
  exclude?: string[];
  /**
   * Flush the snapshot to disk before it gets its final name (one `syncfs` through `sync -f`,
   * else an `fsync` per file). Off only for throwaway trees.
   * @defaultValue true
   */
  fsync?: boolean;
}

export const DEFAULT_INCLUDE: readonly string[] = Object.freeze(['.secret', 'media/**']);
export const DEFAULT_EXCLUDE: readonly string[] = Object.freeze(['profiles/**', 'cache/**', '*.tmp']);

export interface ResolvedSnapshotRunOptions {
  concurrency: number;
  progressIntervalMs: number;
  onProgress: SnapshotProgressListener | undefined;
  logger: BackupLogger | undefined;
  signal: AbortSignal | undefined;
}

export interface ResolvedTakeSnapshotOptions extends ResolvedSnapshotRunOptions {
  sourceDir: string;
  destinationDir: string;
  id: string | undefined;
  previous: string | undefined;
  include: string[];
  exclude: string[];
  fsync: boolean;
}

const absolutePath = z.string().check(z.minLength(1), z.refine(isAbsolute, 'must be an absolute path'));
const pattern = z.string().check(z.minLength(1), z.maxLength(1000));

const runShape = {
  concurrency: z._default(z.int().check(z.minimum(1), z.maximum(64)), 4),
  progressIntervalMs: z._default(z.int().check(z.minimum(0)), 250),
  onProgress: z.optional(z.custom<SnapshotProgressListener>((v) => typeof v === 'function', 'must be a function')),
  logger: z.optional(z.custom<BackupLogger>((v) => typeof v === 'object' && v !== null, 'must be a logger')),
  signal: z.optional(z.custom<AbortSignal>((v) => v instanceof AbortSignal, 'must be an AbortSignal')),
};

const takeSchema = z.strictObject({
  ...runShape,
  sourceDir: absolutePath,
  destinationDir: absolutePath,
  id: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
          'must be 1-128 of A-Z, a-z, 0-9, ".", "_" or "-", not starting with "." ',
        ),
      ),
  ),
  previous: z.optional(z.string().check(z.minLength(1))),
  include: z._default(z.array(pattern), [...DEFAULT_INCLUDE]),
  exclude: z._default(z.array(pattern), [...DEFAULT_EXCLUDE]),
  fsync: z._default(z.boolean(), true),
});

const runSchema = z.strictObject(runShape);

/** Merges defaults and validates once; every problem is listed in one error. */
export function resolveTakeSnapshotOptions(options: TakeSnapshotOptions): ResolvedTakeSnapshotOptions {
  const result = takeSchema.safeParse(options, english);
  if (!result.success) throw new BackupOptionsError('snapshot options', zodProblems(result.error, 'snapshot options'));
  const data = result.data;
  return {
    ...data,
    id: data.id,
    previous: data.previous,
    onProgress: data.onProgress,
    logger: data.logger,
    signal: data.signal,
  };
}

export function resolveSnapshotRunOptions(options: SnapshotRunOptions, what: string): ResolvedSnapshotRunOptions {
  const result = runSchema.safeParse(options, english);
  if (!result.success) throw new BackupOptionsError(what, zodProblems(result.error, what));
  const data = result.data;
  return { ...data, onProgress: data.onProgress, logger: data.logger, signal: data.signal };
}
