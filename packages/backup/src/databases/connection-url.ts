import { parseDatabaseUrl, type DatabaseUrl } from '@keepwatch/conventions';
import { BackupOptionsError } from '../errors.js';

/**
 * A database URL taken apart by the reader config validates `[database] url` with, so the tools
 * connect where the health check does; refused as a `BackupOptionsError` naming `option` (never
 * echoing the URL: it may hold the password).
 */
export function connectionSettings(url: string, option = 'url'): DatabaseUrl {
  const reading = parseDatabaseUrl(url);
  if (!reading.ok) throw new BackupOptionsError('connection settings', [`${option}: ${reading.problem}`]);
  return reading.url;
}
