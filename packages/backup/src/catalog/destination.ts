import type { Readable, Writable } from 'node:stream';
import type { BackupManifest } from './manifest.js';

/** A backup file being written under a temporary name. */
export interface DestinationWriter {
  readonly stream: Writable;
  /** After `stream` finished: makes the bytes durable, then gives the file its final name. */
  commit(): Promise<void>;
  /** Removes whatever was written; safe after a failure and safe to call twice. */
  abort(): Promise<void>;
}

/**
 * Where backups are kept. A backup exists once its manifest does: a destination lists only
 * manifests, writes the manifest last and atomically, and removes files that have none.
 * Every implementation passes the conformance suite in `test/helpers/destination-conformance.ts`.
 */
export interface Destination {
  /** For messages: `/var/backups/keepwatch`. */
  readonly label: string;
  createWriter(id: string, fileName: string): Promise<DestinationWriter>;
  writeManifest(manifest: BackupManifest): Promise<void>;
  /** Throws `BackupNotFoundError` when there is no manifest for `id`. */
  readManifest(id: string): Promise<BackupManifest>;
  /** Every complete backup, oldest first; unreadable manifests are skipped (and logged). */
  listManifests(filter?: { source?: string }): Promise<BackupManifest[]>;
  openFile(manifest: BackupManifest): Promise<Readable>;
  /** Deletes temporaries and files without a manifest of `source`; returns what it removed. */
  removeIncomplete(source: string): Promise<string[]>;
  /** Deletes a backup: manifest first, so it stops being a backup before its file goes. */
  remove(id: string): Promise<void>;
}
