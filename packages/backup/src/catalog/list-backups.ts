import type { Destination } from './destination.js';
import type { BackupManifest } from './manifest.js';

/** Complete backups (those with a manifest), oldest first; `source` narrows to one source. */
export function listBackups(destination: Destination, filter: { source?: string } = {}): Promise<BackupManifest[]> {
  return destination.listManifests(filter);
}
