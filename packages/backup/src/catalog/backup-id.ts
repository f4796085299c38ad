import { randomBytes } from 'node:crypto';
import { BackupIdError } from '../errors.js';

/**
 * A backup id is `<source>-<YYYYMMDDTHHMMSSZ>-<6 chars>`, e.g. `database-20261125T031500Z-ab12cd`:
 * sortable by time within a source, readable in `ls`, and made only of characters that are safe in
 * a path. Every id that comes from outside (CLI, API, a file name) goes through `parseBackupId`.
 */
const SOURCE = '[a-z0-9][a-z0-9_-]{0,62}';
const ID_PATTERN = new RegExp(`^(${SOURCE})-(\\d{8}T\\d{6}Z)-([a-z0-9]{6})$`);
const SOURCE_PATTERN = new RegExp(`^${SOURCE}$`);
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface ParsedBackupId {
  id: string;
  source: string;
  /** When the backup started, to the second (UTC). */
  startedAt: Date;
  /** `YYYY-MM-DD`, the day folder a destination files it under. */
  day: string;
}

export function isValidSourceName(name: string): boolean {
  return SOURCE_PATTERN.test(name);
}

export function createBackupId(source: string, startedAt: Date): string {
  if (!isValidSourceName(source)) throw new BackupIdError(`${source}-`);
  const stamp = startedAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  const bytes = randomBytes(6);
  let suffix = '';
  for (const byte of bytes) suffix += ALPHABET[byte % ALPHABET.length];
  return `${source}-${stamp}-${suffix}`;
}

/** Validates an id from any input; throws `BackupIdError` for anything else. */
export function parseBackupId(id: string): ParsedBackupId {
  const match = typeof id === 'string' ? ID_PATTERN.exec(id) : null;
  if (!match) throw new BackupIdError(String(id));
  const stamp = match[2]!;
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`;
  const startedAt = new Date(iso);
  if (Number.isNaN(startedAt.getTime()) || startedAt.toISOString().slice(0, 19) !== iso.slice(0, 19)) {
    throw new BackupIdError(id);
  }
  return { id, source: match[1]!, startedAt, day: iso.slice(0, 10) };
}
