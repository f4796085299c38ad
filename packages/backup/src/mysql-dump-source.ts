import { parseConnectionUrl } from './connection-url.js';
import { BackupAbortedError } from './errors.js';
import {
  connectMysql,
  isPermanentMysqlFailure,
  mysqlConnectError,
  mysqlDefaultsFile,
  mysqlTableCounts,
  resolveMysqlTool,
} from './mysql-connection.js';
import { resolveDatabaseOptions, type DatabaseSourceOptions } from './options.js';
import type { BackupSource, OpenSourceOptions, SourceDump, SourceMetadata } from './source.js';
import { spawnTool } from './tool-process.js';

/**
 * A MySQL or MariaDB database, dumped as SQL by `mariadb-dump` or `mysqldump` in one consistent
 * InnoDB snapshot (`--single-transaction`), with routines, triggers and events, binary columns
 * as hex so the dump survives any client character set.
 *
 * The row counts come from a consistent snapshot this package opens just before the dump starts
 * (`rowCounts: 'separate-snapshot'`): mysqldump cannot share its snapshot, and making the two
 * coincide would take FLUSH TABLES WITH READ LOCK (RELOAD privilege, a global write stall).
 */
export function mysqlSource(options: DatabaseSourceOptions): BackupSource {
  const resolved = resolveDatabaseOptions(options);
  const settings = parseConnectionUrl(resolved.url);
  return {
    name: resolved.name,
    kind: 'mysql',
    extension: 'sql',
    label: settings.label,

    async open(openOptions: OpenSourceOptions = {}): Promise<SourceDump> {
      const { signal } = openOptions;
      const { tool, version: toolLine } = await resolveMysqlTool(resolved.mysqlDumpPath, ['mariadb-dump', 'mysqldump'], 'mysqlDumpPath');
      const connection = await connectMysql(settings, resolved.connectTimeoutMs);
      let release = async (): Promise<void> => {
        await connection.end().catch(() => {});
      };
      try {
        const [versionRows] = await connection.query<import('mysql2/promise').RowDataPacket[]>('SELECT VERSION() AS v');
        const serverVersion = String(versionRows[0]!.v);
        signal?.throwIfAborted();
        await connection.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
        const defaults = await mysqlDefaultsFile(settings);
        const closeConnection = release;
        release = async () => {
          await defaults.remove();
          await closeConnection();
        };
        const args = [
          `--defaults-extra-file=${defaults.path}`,
          '--single-transaction',
          '--quick',
          '--routines',
          '--triggers',
          '--events',
          '--hex-blob',
          '--default-character-set=utf8mb4',
          // Tablespace statements need the PROCESS privilege and do not belong in a logical dump.
          '--no-tablespaces',
          '--max-allowed-packet=1G',
        ];
        if (!/mariadb/i.test(toolLine)) {
          // Oracle's mysqldump: no GTID_PURGED line a plain restore cannot run, and no
          // column-statistics query a MariaDB server does not answer.
          args.push('--set-gtid-purged=OFF', '--column-statistics=0');
        }
        args.push(settings.database);
        const proc = spawnTool(tool, args, {
          stdout: 'pipe',
          secrets: [settings.password],
          isPermanent: isPermanentMysqlFailure,
        });
        const counting = mysqlTableCounts(connection);
        counting.catch(() => {});
        const finished = (async (): Promise<SourceMetadata> => {
          try {
            await proc.exited;
            const tables = await counting.catch((error: unknown) => {
              throw mysqlConnectError(settings, error);
            });
            await connection.query('COMMIT');
            return {
              database: settings.database,
              versions: { server: serverVersion, tool: toolLine },
              tables,
              rowCounts: 'separate-snapshot',
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
        return { stream: proc.stdout!, finished, abort };
      } catch (error) {
        await release();
        if (signal?.aborted) throw new BackupAbortedError(`backup of ${settings.label}`, error);
        throw error;
      }
    },
  };
}
