import type { Destination } from './destination.js';
import type { BackupLogger } from '../logger.js';
import type { BackupManifest } from './manifest.js';
import { listSnapshots } from '../snapshot/list-snapshots.js';

/** A complete data snapshot in a listing, with a manifest's names where the two mean the same. */
export interface CatalogSnapshot {
  id: string;
  source: 'data';
  kind: 'data';
  /** ISO time, as in a manifest. */
  finishedAt: string;
  files: number;
  bytesTotal: number;
  /** Its directory: a plain tree, restorable with `restoreSnapshot`. */
  path: string;
}

export interface BackupCatalog {
  /** Database backups (those with a manifest), oldest first. */
  databases: BackupManifest[];
  /** Complete data snapshots, oldest first. */
  snapshots: CatalogSnapshot[];
}

export interface BackupCatalogOptions {
  destination: Destination;
  /** Where the data snapshots are (`<backup destination>/data`). */
  snapshotsDirectory: string;
  /** Only this source: `data` for the snapshots, any other name for its database backups. @defaultValue every source */
  source?: string;
  /** Told about snapshot directories that cannot be read. @defaultValue none */
  logger?: BackupLogger;
}

/**
 * The complete backups of both kinds. A snapshot being written is left out, as a dump without
 * its manifest is: neither is a backup yet.
 */
export async function listBackupCatalog(options: BackupCatalogOptions): Promise<BackupCatalog> {
  const { destination, snapshotsDirectory, source, logger } = options;
  const [databases, snapshots] = await Promise.all([
    source === 'data' ? [] : destination.listManifests(source === undefined ? {} : { source }),
    source === undefined || source === 'data' ? listSnapshots(snapshotsDirectory, logger) : [],
  ]);
  return {
    databases,
    snapshots: snapshots
      .filter((s) => s.state === 'complete')
      .map((s) => ({
        id: s.id,
        source: 'data',
        kind: 'data',
        finishedAt: s.finishedAt.toISOString(),
        files: s.files ?? 0,
        bytesTotal: s.bytesTotal ?? 0,
        path: s.path,
      })),
  };
}

/** Both kinds in one list, oldest first. */
export function catalogOldestFirst(catalog: BackupCatalog): (BackupManifest | CatalogSnapshot)[] {
  return [...catalog.databases, ...catalog.snapshots].sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
}
