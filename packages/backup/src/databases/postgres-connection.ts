import type pg from 'pg';
import type { DatabaseUrl } from '@keepwatch/conventions';
import { BackupAuthError, BackupConnectionError } from '../errors.js';
import type { TableCount } from '../catalog/manifest.js';
import { redact } from '../pipeline/tool-process.js';

const AUTH_CODES = new Set(['28P01', '28000']);
const PERMANENT_CODES = new Set(['3D000', '42501']);

/** Connects, turning failures into errors that say whether a retry can help, without secrets. */
export async function connectPostgres(settings: DatabaseUrl, timeoutMs: number): Promise<pg.Client> {
  // Loaded on first use: a worker that only backs up MySQL never pays for pg, and the reverse.
  const { default: driver } = await import('pg');
  const client = new driver.Client({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password ?? '',
    database: settings.database,
    connectionTimeoutMillis: timeoutMs,
    application_name: 'keepwatch-backup',
    ssl: sslOption(settings.sslMode),
  });
  // An idle client whose server goes away emits 'error'; without a listener that kills the process.
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw postgresConnectError(settings, error);
  }
}

export function postgresConnectError(settings: DatabaseUrl, error: unknown): Error {
  const code = (error as { code?: string }).code ?? '';
  const detail = redact(error instanceof Error ? error.message : String(error), [settings.password]) || code;
  if (AUTH_CODES.has(code)) return new BackupAuthError(settings.label, detail, error);
  return new BackupConnectionError(settings.label, detail, !PERMANENT_CODES.has(code), error);
}

function sslOption(mode: string | undefined): pg.ClientConfig['ssl'] {
  if (!mode || mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
  if (mode === 'require') return { rejectUnauthorized: false };
  return true;
}

/** pg_dump / pg_restore stderr that no retry can fix. */
export function isPermanentPostgresFailure(stderr: string): boolean {
  return /password authentication failed|no password supplied|role ".*" does not exist|database ".*" does not exist|permission denied|server version mismatch/i.test(
    stderr,
  );
}

/**
 * Environment for pg_dump / pg_restore: everything but the database name of the connection, and
 * the password as PGPASSWORD. Never a file: a PGPASSFILE outlives a `kill -9` of the process that
 * wrote it (and libpq reads only a plain file there, not a pipe). On Linux the environment is as
 * private as a 0600 file and gone with the process: /proc/<pid>/environ is readable only by the
 * same user (and root), who could read that file as well; libpq's caution about PGPASSWORD ("some
 * operating systems allow non-root users to see process environment variables via ps") is about
 * other systems. PGPASSWORD also wins over a ~/.pgpass, as the file did.
 */
export function postgresToolEnv(settings: DatabaseUrl): Record<string, string> {
  const env: Record<string, string> = {
    PGHOST: settings.host,
    PGPORT: String(settings.port),
    PGUSER: settings.user,
    PGDATABASE: settings.database,
    PGAPPNAME: 'keepwatch-backup',
    PGCONNECT_TIMEOUT: '10',
  };
  if (settings.sslMode) env.PGSSLMODE = settings.sslMode;
  if (settings.password !== undefined) env.PGPASSWORD = settings.password;
  return env;
}

/** A conninfo naming only the database, for tools whose `--dbname` would read `=` as conninfo. */
export function dbnameConninfo(database: string): string {
  return `dbname='${database.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/**
 * Ordinary tables of the database (not the catalog, not extension members), with exact row
 * counts. `serial` (inside a transaction) keeps the scans to this one backend: a parallel
 * count(*) beside a running pg_dump takes every core from it (on 2 cores, 180 ms of three
 * processes instead of 92 ms of one, for 2.2M rows).
 */
export async function postgresTableCounts(
  client: pg.Client,
  options: { serial?: boolean } = {},
): Promise<TableCount[]> {
  const { rows } = await client.query<{ schema: string; name: string }>(`
    SELECT n.nspname AS schema, c.relname AS name
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r'
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
     ORDER BY 1, 2`);
  if (options.serial) await client.query('SET LOCAL max_parallel_workers_per_gather = 0');
  const counts: TableCount[] = [];
  for (const row of rows) {
    const table = `${client.escapeIdentifier(row.schema)}.${client.escapeIdentifier(row.name)}`;
    const result = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
    counts.push({ schema: row.schema, name: row.name, rows: Number(result.rows[0]!.n) });
  }
  return counts;
}

/** True when the database holds no user relations, functions or extra schemas. */
export async function postgresIsEmpty(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ n: string }>(`
    SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%')
         + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema'))
         + (SELECT count(*) FROM pg_namespace
             WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public')
               AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%')
         AS n`);
  return Number(rows[0]!.n) === 0;
}
