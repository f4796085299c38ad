import type { Writable } from 'node:stream';
import type { TableCount } from '../catalog/manifest.js';

/** A restore in progress: write the raw dump into `stream`, then await `finished`. */
export interface RestoreSink {
  readonly stream: Writable;
  /** Resolves when the restore tool exited 0; rejects with its exit code and stderr tail. */
  readonly finished: Promise<void>;
  abort(): void;
}

/**
 * Where a backup of a given kind can be restored. `restoreBackup` checks the checksum and
 * `isEmpty()` before it calls `begin`, so a target never sees a damaged or unwanted restore.
 */
export interface RestoreTarget {
  /** Must equal the manifest's `kind`. */
  readonly kind: string;
  /** For messages, without secrets. */
  readonly label: string;
  isEmpty(): Promise<boolean>;
  /** `clean`: replace the target's contents instead of adding to them. */
  begin(options: { clean: boolean }): Promise<RestoreSink>;
  /** Tables and exact row counts, in the manifest's form, to compare after a restore test. */
  tableCounts(): Promise<TableCount[]>;
}

/** A throwaway database for `verifyBackup`'s restore test. */
export interface ScratchTarget extends RestoreTarget {
  /** Drops the scratch database; safe to call twice. */
  drop(): Promise<void>;
}
