import { databaseKindOf } from '@keepwatch/conventions';
import { z } from 'zod';
import { parseBackupId } from './backup-id.js';
import { BackupManifestError } from '../errors.js';

/**
 * The manifest format. A reader accepts every version it knows; a writer writes the newest.
 * Bump it (and keep reading the old one) when a field changes meaning or becomes required.
 */
export const MANIFEST_FORMAT = 'keepwatch-backup';
export const MANIFEST_VERSION = 1;

/**
 * `kind` as format 1 spells it on disk: `postgresql` for a pg_dump backup, which keepwatch now
 * calls `postgres` (`DatabaseKind`) everywhere else. Reading maps it (and takes `postgres` too);
 * writing keeps `postgresql`, so a keepwatch from before this change still lists, verifies and
 * restores a backup made now: the workers and CLIs of a fleet are not upgraded all at once, and
 * an older one compares the manifest's kind with its own target's (`postgresql`).
 */
const STORED_KIND: ReadonlyMap<string, string> = new Map([['postgres', 'postgresql']]);

const tableCountSchema = z.strictObject({
  schema: z.string(),
  name: z.string(),
  rows: z.number().int().nonnegative(),
});

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  formatVersion: z.literal(MANIFEST_VERSION),
  id: z.string().refine((id) => {
    try {
      parseBackupId(id);
      return true;
    } catch {
      return false;
    }
  }, 'not a valid backup id'),
  source: z.string(),
  /**
   * What made it, a `DatabaseKind` for a database: `postgres` (pg_dump custom format; stored as
   * `postgresql`) or `mysql` (SQL from mariadb-dump/mysqldump). Another source's own kind as is.
   */
  kind: z.string().transform((kind) => databaseKindOf(kind) ?? kind),
  /** The stored file, relative to the manifest's folder. */
  file: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  rawBytes: z.number().int().nonnegative(),
  storedBytes: z.number().int().nonnegative(),
  checksum: z.strictObject({ algorithm: z.literal('sha256'), value: z.string().regex(/^[0-9a-f]{64}$/) }),
  compression: z.enum(['zstd', 'gzip', 'none']),
  encryption: z.union([z.null(), z.strictObject({ method: z.literal('age'), recipients: z.array(z.string()).min(1) })]),
  database: z.string(),
  versions: z.strictObject({ server: z.string(), tool: z.string(), keepwatch: z.string() }),
  /** Rows per table; `same-snapshot` when counted in the dump's own snapshot. */
  tables: z.array(tableCountSchema),
  rowCounts: z.enum(['same-snapshot', 'separate-snapshot']),
});

export type BackupManifest = z.output<typeof manifestSchema>;
export type TableCount = z.output<typeof tableCountSchema>;

/** Validates a manifest read from `path`; every problem is named. */
export function parseManifest(text: string, path: string): BackupManifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BackupManifestError(path, ['not JSON'], error);
  }
  const result = manifestSchema.safeParse(data);
  if (!result.success) {
    throw new BackupManifestError(
      path,
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return result.data;
}

export function serializeManifest(manifest: BackupManifest): string {
  return `${JSON.stringify({ ...manifest, kind: STORED_KIND.get(manifest.kind) ?? manifest.kind }, null, 2)}\n`;
}
