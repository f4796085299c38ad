import { AGE_RECIPIENT_PATTERN, parseDatabaseUrl } from '@keepwatch/conventions';
import * as z from 'zod/mini';
import type { Compression } from './pipeline/compression.js';
import { BackupOptionsError } from './errors.js';
import type { ToolEnvironment, ToolEnvironmentOptions } from './pipeline/tool-process.js';
import { english, zodProblems } from './zod-problems.js';

/** How a backup is stored. */
export interface BackupOptions extends ToolEnvironmentOptions {
  /** @defaultValue 'zstd' */
  compression?: Compression;
  /** zstd level, 1 (fastest) to 19. @defaultValue 3 */
  zstdLevel?: number;
  /** The `zstd` tool. @defaultValue 'zstd' (found on PATH) */
  zstdPath?: string;
  /**
   * age recipients (`age1…` or `ssh-ed25519 …` public keys). Empty: not encrypted.
   * @defaultValue []
   */
  encryptTo?: string[];
  /** The `age` tool. @defaultValue 'age' (found on PATH) */
  agePath?: string;
  /** Least time between two progress reports; 250 ms keeps them at 4 a second. @defaultValue 250 */
  progressIntervalMs?: number;
}

export type ResolvedBackupOptions = Readonly<Required<BackupOptions>>;

/**
 * `ToolEnvironmentOptions.env`, an environment object the caller hands in: kept as given (copied
 * only when a tool starts). Not `z.record`, which refuses a Node environment object for its
 * prototype.
 */
export const toolEnvironmentSchema = z._default(
  z.custom<ToolEnvironment>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      Object.values(value).every((v) => v === undefined || typeof v === 'string'),
    'must be an environment: variable names to strings',
  ),
  {},
);

const backupOptionsSchema = z.strictObject({
  compression: z._default(z.enum(['zstd', 'gzip', 'none']), 'zstd'),
  zstdLevel: z._default(z.int().check(z.minimum(1), z.maximum(19)), 3),
  zstdPath: z._default(z.string().check(z.minLength(1)), 'zstd'),
  encryptTo: z._default(
    z.array(z.string().check(z.regex(AGE_RECIPIENT_PATTERN, 'must be an age1… or ssh- public key'))),
    [],
  ),
  agePath: z._default(z.string().check(z.minLength(1)), 'age'),
  progressIntervalMs: z._default(z.int().check(z.minimum(250, 'must be at least 250 (4 reports a second)')), 250),
  env: toolEnvironmentSchema,
});

/** Merges defaults and validates once; every problem is listed in one error. */
export function resolveBackupOptions(options: BackupOptions = {}): ResolvedBackupOptions {
  const result = backupOptionsSchema.safeParse(options, english);
  if (!result.success) throw new BackupOptionsError('backup options', zodProblems(result.error, 'backup options'));
  return Object.freeze(result.data);
}

/** Where the database tools are and how long to wait for a server. */
export interface DatabaseToolOptions extends ToolEnvironmentOptions {
  /** @defaultValue 'pg_dump' */
  pgDumpPath?: string;
  /** @defaultValue 'pg_restore' */
  pgRestorePath?: string;
  /** @defaultValue 'mariadb-dump', else 'mysqldump', whichever is installed */
  mysqlDumpPath?: string;
  /** The client that replays a MySQL dump. @defaultValue 'mariadb', else 'mysql' */
  mysqlPath?: string;
  /** @defaultValue 10000 */
  connectTimeoutMs?: number;
}

/** A database to back up. */
export interface DatabaseSourceOptions extends DatabaseToolOptions {
  /** The source's name, in ids and folder names. @defaultValue 'database' */
  name?: string;
  /**
   * `postgres://user:password@host:5432/db` or `mysql://user:password@host:3306/db`
   * (`[database] url`). The password goes to the tools in their environment, never arguments or files.
   */
  url: string;
}

/** A database to restore into (also the server for restore tests' scratch databases). */
export interface DatabaseTargetOptions extends DatabaseToolOptions {
  /** Same form as `DatabaseSourceOptions.url`. */
  url: string;
}

export interface ResolvedDatabaseOptions {
  name: string;
  url: string;
  pgDumpPath: string;
  pgRestorePath: string;
  mysqlDumpPath: string | undefined;
  mysqlPath: string | undefined;
  connectTimeoutMs: number;
  env: ToolEnvironment;
}

const databaseOptionsSchema = z.strictObject({
  name: z._default(
    z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be 1-63 of a-z, 0-9, "_" or "-"')),
    'database',
  ),
  url: z.string().check(
    z.superRefine((url, context) => {
      // The same verdict as config's on [database] url. Its problems name the part that is wrong,
      // never the text: the URL may hold a password.
      const reading = parseDatabaseUrl(url);
      if (!reading.ok) context.addIssue({ code: 'custom', message: reading.problem });
    }),
  ),
  pgDumpPath: z._default(z.string().check(z.minLength(1)), 'pg_dump'),
  pgRestorePath: z._default(z.string().check(z.minLength(1)), 'pg_restore'),
  mysqlDumpPath: z.optional(z.string().check(z.minLength(1))),
  mysqlPath: z.optional(z.string().check(z.minLength(1))),
  connectTimeoutMs: z._default(z.int().check(z.minimum(100), z.maximum(600_000)), 10_000),
  env: toolEnvironmentSchema,
});

export function resolveDatabaseOptions(
  options: DatabaseSourceOptions | DatabaseTargetOptions,
): ResolvedDatabaseOptions {
  const result = databaseOptionsSchema.safeParse(options, english);
  if (!result.success) throw new BackupOptionsError('database options', zodProblems(result.error, 'database options'));
  return { ...result.data, mysqlDumpPath: result.data.mysqlDumpPath, mysqlPath: result.data.mysqlPath };
}
