import { randomBytes } from 'node:crypto';
import { type DatabaseUrl, withDatabase } from '@keepwatch/conventions';
import { connectionSettings } from './connection-url.js';
import { BackupScratchPrivilegeError } from '../errors.js';
import { resolveDatabaseOptions, type DatabaseTargetOptions, type ResolvedDatabaseOptions } from '../options.js';
import {
  connectPostgres,
  dbnameConninfo,
  isPermanentPostgresFailure,
  postgresIsEmpty,
  postgresTableCounts,
  postgresToolEnv,
} from './postgres-connection.js';
import type { RestoreSink, RestoreTarget, ScratchTarget } from './restore-target.js';
import { spawnTool } from '../pipeline/tool-process.js';

/** A PostgreSQL database that `pg_restore` replays a custom-format dump into. */
export function postgresTarget(options: DatabaseTargetOptions): RestoreTarget {
  const resolved = resolveDatabaseOptions(options);
  return makeTarget(resolved, connectionSettings(resolved.url));
}

function makeTarget(resolved: ResolvedDatabaseOptions, settings: DatabaseUrl): RestoreTarget {
  const withClient = async <T>(fn: (client: Awaited<ReturnType<typeof connectPostgres>>) => Promise<T>): Promise<T> => {
    const client = await connectPostgres(settings, resolved.connectTimeoutMs);
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => {});
    }
  };
  return {
    kind: 'postgres',
    label: settings.label,
    isEmpty: () => withClient(postgresIsEmpty),
    tableCounts: () => withClient(postgresTableCounts),

    async begin({ clean }): Promise<RestoreSink> {
      // One transaction: a restore that fails half way leaves the target as it was.
      const args = ['--single-transaction', '--exit-on-error', '--no-owner', '--no-acl', '--no-password'];
      if (clean) args.push('--clean', '--if-exists');
      args.push(`--dbname=${dbnameConninfo(settings.database)}`);
      const proc = spawnTool({ name: 'pg_restore', path: resolved.pgRestorePath, option: 'pgRestorePath' }, args, {
        env: resolved.env,
        extraEnv: postgresToolEnv(settings),
        stdin: 'pipe',
        stdout: 'ignore',
        secrets: [settings.password],
        isPermanent: isPermanentPostgresFailure,
      });
      return { stream: proc.stdin!, finished: proc.exited, abort: () => proc.kill() };
    },
  };
}

const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * Creates `kw_verify_<random>` on the server of `options.url` (whose user needs CREATEDB) and
 * returns it as a target that `drop()` removes again.
 */
export async function createPostgresScratch(options: DatabaseTargetOptions): Promise<ScratchTarget> {
  const resolved = resolveDatabaseOptions(options);
  const admin = connectionSettings(resolved.url);
  const name = `kw_verify_${randomBytes(5).toString('hex')}`;
  const run = async (sql: string): Promise<void> => {
    const client = await connectPostgres(admin, resolved.connectTimeoutMs);
    try {
      await client.query(sql);
    } finally {
      await client.end().catch(() => {});
    }
  };
  await run(`CREATE DATABASE "${name}"`).catch((error: unknown) => {
    if ((error as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw error;
    const role = `"${admin.user.replace(/"/g, '""')}"`;
    throw new BackupScratchPrivilegeError(
      admin.label,
      'CREATEDB',
      `role ${role}`,
      `ALTER ROLE ${role} CREATEDB;`,
      error,
    );
  });
  let dropped = false;
  return {
    ...makeTarget(resolved, withDatabase(admin, name)),
    async drop() {
      if (dropped) return;
      dropped = true;
      await run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
