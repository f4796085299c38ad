import type { Readable } from 'node:stream';

/** An object as a listing or `stat` shows it. */
export interface StorageObject {
  /** Relative to the storage's root: `database/2026-11-25/database-20261125T031500Z-ab12cd.pgdump.zst`. */
  key: string;
  /** Bytes. */
  size: number;
  /** When it was last written (the storage's clock; to the second on SSH). */
  modifiedAt: Date;
}

/** What `write` stored, measured on the bytes as they passed: the manifest keeps `sha256`. */
export interface WriteResult {
  key: string;
  size: number;
  /** Hex SHA-256 of the bytes written. */
  sha256: string;
}

export interface WriteOptions {
  /** Aborts the write: nothing is left listed and the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface CleanupOptions {
  /**
   * Only what writes of keys starting with `prefix` left (a plain string prefix, as `list`'s), so
   * a caller holding one source's lock does not cut short another source's upload in flight.
   * @defaultValue '' (everything)
   */
  prefix?: string;
}

/** A part of an object; `length` absent means to its end. */
export interface ByteRange {
  offset: number;
  length?: number;
}

/**
 * Where backups are kept: a flat namespace of objects under `/`-separated keys, modelled on
 * restic's `Backend` (`internal/backend/backend.go`): save a stream under a key, load it (or a
 * part), stat, list, remove. Every implementation passes the conformance suite in
 * `test/helpers/storage-conformance.ts`; the repository is built on this interface alone.
 *
 * The one promise that makes backups trustworthy: **an object is listed only once it is complete**.
 * A write goes to a temporary name (an S3 multipart upload) that no listing shows and becomes
 * visible in one atomic step at the end; a write that fails, is aborted or whose process is killed
 * leaves nothing listed, and what it left behind is removed by `cleanupIncompleteUploads`.
 *
 * Keys are `/`-separated names of `A-Z a-z 0-9 . _ -`, none empty or starting with `.` (dot names
 * are the temporaries); every method throws `StorageKeyError` for anything else.
 */
export interface Storage {
  /** For messages and logs: `/var/backups/keepwatch`, `backup@host:22/srv/keepwatch`, `s3://bucket/prefix at https://host`. Never holds a secret. */
  readonly label: string;
  /**
   * Stores `body` under `key`, replacing an object already there. `body` is consumed (and
   * destroyed when the write fails). When `body` fails, or `signal` aborts, that error is what
   * the promise rejects with; failures of the storage are `Storage*Error`s.
   */
  write(key: string, body: Readable, options?: WriteOptions): Promise<WriteResult>;
  /** The object's bytes (or `range` of them); `StorageNotFoundError`, or `StorageRangeError` for bytes it does not have. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** `StorageNotFoundError` when there is no complete object under `key`. */
  stat(key: string): Promise<StorageObject>;
  /**
   * Every complete object whose key starts with `prefix` (a plain string prefix, as S3's: `database/`
   * lists everything under that folder, `database/2026-` the days of 2026), ordered by key.
   */
  list(prefix?: string): Promise<StorageObject[]>;
  /** Removes the object; no error when there is none. */
  delete(key: string): Promise<void>;
  /**
   * Removes what writes that never finished left behind (temporary files, incomplete multipart
   * uploads) from before `olderThan`, so a write in progress elsewhere is not cut short: a
   * temporary file counts from its last write, an S3 upload from its start, so `olderThan` must
   * lie further back than the longest write takes (or the caller holds the source's lock).
   * Returns the keys (or temporary names) it removed.
   */
  cleanupIncompleteUploads(olderThan: Date, options?: CleanupOptions): Promise<string[]>;
  /** Releases connections; the storage is not used afterwards. */
  close(): Promise<void>;
}
