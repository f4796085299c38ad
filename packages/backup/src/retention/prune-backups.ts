import type { Destination } from '../catalog/destination.js';
import { applyRetention, type PruneOptions, type PruneReport } from './apply-retention.js';

export interface PruneBackupsOptions extends PruneOptions {
  destination: Destination;
  /** The source whose backups are pruned (`database`). */
  source: string;
}

export type PruneBackupsReport = PruneReport;

/**
 * Applies a retention policy to one source's backups in a destination (see `selectForRetention`;
 * the newest is always kept). Only backups with a manifest are listed, so one being written is
 * never touched. The counterpart of `pruneSnapshots` for dumps.
 */
export async function pruneBackups(options: PruneBackupsOptions): Promise<PruneBackupsReport> {
  const manifests = await options.destination.listManifests({ source: options.source });
  const candidates = manifests.map((m) => ({
    id: m.id,
    finishedAt: new Date(m.finishedAt),
    state: 'complete' as const,
  }));
  return applyRetention(candidates, options, 'backup', (id) => options.destination.remove(id));
}
