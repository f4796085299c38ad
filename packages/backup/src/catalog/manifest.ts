import { databaseKindOf } from '@keepwatch/conventions';
import * as z from 'zod/mini';
import { parseBackupId } from './backup-id.js';
import { BackupManifestError } from '../errors.js';
import { english } from '../zod-problems.js';

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

/** Rows of one table, as counted when the backup was made. */
export interface TableCount {
  schema: string;
  name: string;
  rows: number;
}

/** What a backup's `<file>.manifest.json` holds, as read (`kind` mapped, see `STORED_KIND`). */
export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: typeof MANIFEST_VERSION;
  id: string;
  source: string;
  /**
   * What made it, a `DatabaseKind` for a database: `postgres` (pg_dump custom format; stored as
   * `postgresql`) or `mysql` (SQL from mariadb-dump/mysqldump). Another source's own kind as is.
   */
  kind: string;
  /** The stored file, relative to the manifest's folder. */
  file: string;
  startedAt: string;
  finishedAt: string;
  rawBytes: number;
  storedBytes: number;
  checksum: { algorithm: 'sha256'; value: string };
  compression: 'zstd' | 'gzip' | 'none';
  encryption: null | { method: 'age'; recipients: string[] };
  database: string;
  versions: { server: string; tool: string; keepwatch: string };
  /** Rows per table; `same-snapshot` when counted in the dump's own snapshot. */
  tables: TableCount[];
  rowCounts: 'same-snapshot' | 'separate-snapshot';
}

const count = () => z.int().check(z.nonnegative());

const tableCountSchema = z.strictObject({
  schema: z.string(),
  name: z.string(),
  rows: count(),
});

const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  formatVersion: z.literal(MANIFEST_VERSION),
  id: z.string().check(
    z.refine((id) => {
      try {
        parseBackupId(id);
        return true;
      } catch {
        return false;
      }
    }, 'not a valid backup id'),
  ),
  source: z.string(),
  kind: z.pipe(
    z.string(),
    z.transform((kind) => databaseKindOf(kind) ?? kind),
  ),
  file: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  rawBytes: count(),
  storedBytes: count(),
  checksum: z.strictObject({ algorithm: z.literal('sha256'), value: z.string().check(z.regex(/^[0-9a-f]{64}$/)) }),
  compression: z.enum(['zstd', 'gzip', 'none']),
  encryption: z.union([
    z.null(),
    z.strictObject({ method: z.literal('age'), recipients: z.array(z.string()).check(z.minLength(1)) }),
  ]),
  database: z.string(),
  versions: z.strictObject({ server: z.string(), tool: z.string(), keepwatch: z.string() }),
  tables: z.array(tableCountSchema),
  rowCounts: z.enum(['same-snapshot', 'separate-snapshot']),
});

/** Validates a manifest read from `path`; every problem is named. */
export function parseManifest(text: string, path: string): BackupManifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BackupManifestError(path, ['not JSON'], error);
  }
  const result = manifestSchema.safeParse(data, english);
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
