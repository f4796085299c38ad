import { connectionSettings } from './connection-url.js';
import { BackupAbortedError, BackupToolTooOldError } from '../errors.js';
import { resolveDatabaseOptions, type DatabaseSourceOptions } from '../options.js';
import {
  connectPostgres,
  isPermanentPostgresFailure,
  postgresConnectError,
  postgresTableCounts,
  postgresToolEnv,
} from './postgres-connection.js';
import type { BackupSource, OpenSourceOptions, SourceDump, SourceMetadata } from './source.js';
import { keepOutput, spawnTool, toolVersion, type ToolSpec } from '../pipeline/tool-process.js';

/** `pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)` → `15.20`. */
export function parsePgToolVersion(line: string): { version: string; major: number } | undefined {
  const match = /\)\s+(\d+)(?:\.(\d+))?/.exec(line) ?? /(\d+)(?:\.(\d+))?/.exec(line);
  if (!match) return undefined;
  return { version: match[2] === undefined ? match[1]! : `${match[1]}.${match[2]}`, major: Number(match[1]) };
}

/**
 * A PostgreSQL database, dumped with `pg_dump --format=custom -Z0` (keepwatch compresses). The
 * row counts recorded in the manifest are taken in the very snapshot pg_dump reads: a
 * repeatable-read transaction exports it (`pg_export_snapshot()`), pg_dump imports it
 * (`--snapshot`), and the transaction stays open until the dump is done.
 */
export function postgresSource(options: DatabaseSourceOptions): BackupSource {
  const resolved = resolveDatabaseOptions(options);
  const settings = connectionSettings(resolved.url);
  const tool: ToolSpec = { name: 'pg_dump', path: resolved.pgDumpPath, option: 'pgDumpPath' };
  return {
    name: resolved.name,
    kind: 'postgres',
    extension: 'pgdump',
    label: settings.label,
    writesToPipe: true,

    async open(openOptions: OpenSourceOptions = {}): Promise<SourceDump> {
      const { signal, output } = openOptions;
      // `pg_dump --version` takes 60 ms where pg_dump is Debian's Perl wrapper: asked now, and
      // awaited only once pg_dump runs (see below).
      const version = toolVersion(tool, resolved.env);
      version.catch(() => {});
      const client = await connectPostgres(settings, resolved.connectTimeoutMs).catch(async (error: unknown) => {
        await version; // a missing tool is the first thing to fix: its error wins
        throw error;
      });
      const release = async (): Promise<void> => {
        await client.end().catch(() => {});
      };
      try {
        const { rows } = await client.query<{ num: string; version: string }>(
          `SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version`,
        );
        const serverMajor = Math.floor(Number(rows[0]!.num) / 10000);
        const serverVersion = rows[0]!.version.split(' ')[0]!;
        signal?.throwIfAborted();
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const snapshot = (await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
        const proc = spawnTool(tool, ['--format=custom', '-Z0', `--snapshot=${snapshot}`, '--no-password'], {
          env: resolved.env,
          extraEnv: postgresToolEnv(settings),
          stdout: output ?? 'pipe',
          bufferOutput: true,
          secrets: [settings.password],
          isPermanent: isPermanentPostgresFailure,
        });
        // pg_dump holds its own copy of the compressor's stdin; ours would keep zstd from ever
        // seeing the end.
        output?.destroy();
        // The version check, before `open` returns and so before a byte is stored: pg_dump has
        // been connecting meanwhile, its output held in the pipe. pg_dump itself would refuse a
        // newer server with a terse "server version mismatch"; say it plainly, with both versions.
        const toolLine = await version.catch((error: unknown) => {
          proc.kill();
          throw error;
        });
        const toolVersionInfo = parsePgToolVersion(toolLine);
        if (!toolVersionInfo || toolVersionInfo.major < serverMajor) {
          proc.kill();
          throw new BackupToolTooOldError(
            'pg_dump',
            toolVersionInfo?.version ?? `"${toolLine}"`,
            serverVersion,
            tool.option,
          );
        }
        // Counted on the exporting transaction while pg_dump streams: same snapshot, no extra wait
        // (and one backend only: see postgresTableCounts).
        const counting = postgresTableCounts(client, { serial: true });
        counting.catch(() => {});
        const finished = (async (): Promise<SourceMetadata> => {
          try {
            await proc.exited;
            const tables = await counting.catch((error: unknown) => {
              throw postgresConnectError(settings, error);
            });
            await client.query('COMMIT');
            return {
              database: settings.database,
              versions: { server: serverVersion, tool: toolLine },
              tables,
              rowCounts: 'same-snapshot',
            };
          } finally {
            proc.kill();
            await release();
          }
        })();
        finished.catch(() => {});
        const abort = (): void => {
          proc.kill();
          void release();
        };
        signal?.addEventListener('abort', abort, { once: true });
        return { stream: output ? undefined : keepOutput(proc.stdout!), finished, abort };
      } catch (error) {
        await release();
        if (signal?.aborted) throw new BackupAbortedError(`backup of ${settings.label}`, error);
        throw error;
      }
    },
  };
}
