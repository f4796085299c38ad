import { randomBytes } from 'node:crypto';
import type { ProfileKind } from './events.js';

/**
 * Profile file names carry what `ls` should show: start time (UTC, ISO 8601 basic format so
 * names sort by time), duration, kind, method and url_name (or task name), status, and the
 * writing process. A random tail keeps two replicas that share a directory and a pid (pid 1 in
 * two containers) from colliding.
 *
 *   20250314T101502.123Z_245ms_request_GET-users-id_200_p4711-9f3a1c.cpuprofile
 *   20250314T101507.004Z_1830ms_task_backup-database_ok_p4712-04be77.cpuprofile
 */
export const profileExtension = '.cpuprofile';
export const metadataExtension = '.meta.json';

const stemPattern =
  /^(\d{8}T\d{6}\.\d{3}Z)_(\d+)ms_(request|task)_([A-Za-z0-9.-]+)_([A-Za-z0-9.-]+)_p(\d+)-([0-9a-f]+)$/;

export interface ProfileFileFields {
  startedAt: Date;
  durationMs: number;
  kind: ProfileKind;
  /** `GET-users-id` or `backup-database`: the name squeezed into safe file-name characters. */
  label: string;
  status: string;
  pid: number;
}

/** Squeezes a url_name or task name into `[A-Za-z0-9.-]`, since `_` separates the fields. */
export function slugify(value: string): string {
  const slug = value
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 80);
  return slug === '' ? 'root' : slug;
}

export function profileLabel(kind: ProfileKind, name: string, method: string | undefined): string {
  const slug = slugify(name);
  return kind === 'request' && method ? `${slugify(method)}-${slug}` : slug;
}

/** The file name without extension; the profile and its metadata share it. */
export function formatProfileStem(fields: ProfileFileFields): string {
  const time = fields.startedAt.toISOString().replace(/[-:]/g, '');
  const tail = randomBytes(3).toString('hex');
  return [
    time,
    `${Math.max(0, Math.round(fields.durationMs))}ms`,
    fields.kind,
    fields.label,
    slugify(fields.status),
    `p${fields.pid}-${tail}`,
  ].join('_');
}

/** Reads the fields back from a profile's or metadata file's name; undefined for other files. */
export function parseProfileFileName(file: string): (ProfileFileFields & { stem: string }) | undefined {
  let stem: string;
  if (file.endsWith(profileExtension)) stem = file.slice(0, -profileExtension.length);
  else if (file.endsWith(metadataExtension)) stem = file.slice(0, -metadataExtension.length);
  else return undefined;
  const match = stemPattern.exec(stem);
  if (!match) return undefined;
  const [, time, duration, kind, label, status, pid] = match as unknown as [
    string,
    string,
    string,
    ProfileKind,
    string,
    string,
    string,
  ];
  const iso = `${time.slice(0, 4)}-${time.slice(4, 6)}-${time.slice(6, 8)}T${time.slice(9, 11)}:${time.slice(11, 13)}:${time.slice(13)}`;
  const startedAt = new Date(iso);
  if (Number.isNaN(startedAt.getTime())) return undefined;
  return { stem, startedAt, durationMs: Number(duration), kind, label, status, pid: Number(pid) };
}
