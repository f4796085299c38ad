import { finished } from 'node:stream/promises';
import { connectionSettings } from './connection-url.js';
import { BackupAbortedError } from '../errors.js';
import {
  connectMysql,
  isPermanentMysqlFailure,
  mysqlConnectError,
  mysqlTableCounts,
  mysqlToolConnection,
  resolveMysqlTool,
} from './mysql-connection.js';
import { MysqlRowCounter } from './mysql-row-counter.js';
import { resolveDatabaseOptions, type DatabaseSourceOptions } from '../options.js';
import type { BackupSource, OpenSourceOptions, SourceDump, SourceMetadata } from './source.js';
import { spawnTool } from '../pipeline/tool-process.js';
import { startToolOutputPump } from '../pipeline/tool-output-pump.js';

/**
 * A MySQL or MariaDB database, dumped as SQL by `mariadb-dump` or `mysqldump` in one consistent
 * InnoDB snapshot (`--single-transaction`), with routines, triggers and events, binary columns
 * as hex so the dump survives any client character set.
 *
 * mysqldump cannot share its snapshot, so the row counts are read from the dump itself as it
 * streams (`MysqlRowCounter`): same snapshot, and no COUNT(*) scans loading the server. Should
 * the dump not parse, the tables are counted with queries after it (`separate-snapshot`).
 */
export function mysqlSource(options: DatabaseSourceOptions): BackupSource {
  const resolved = resolveDatabaseOptions(options);
  const settings = connectionSettings(resolved.url);
  return {
    name: resolved.name,
    kind: 'mysql',
    extension: 'sql',
    label: settings.label,
    writesToPipe: true,

    async open(openOptions: OpenSourceOptions = {}): Promise<SourceDump> {
      const { signal, output } = openOptions;
      // The tool's version is asked while connecting (neither needs the other). When both fail,
      // the tool's failure wins: a missing tool is the first thing to fix.
      const [found, connected] = await Promise.allSettled([
        resolveMysqlTool(resolved.mysqlDumpPath, ['mariadb-dump', 'mysqldump'], 'mysqlDumpPath', resolved.env),
        connectMysql(settings, resolved.connectTimeoutMs),
      ]);
      if (found.status === 'rejected' || connected.status === 'rejected') {
        if (connected.status === 'fulfilled') await connected.value.end().catch(() => {});
        throw found.status === 'rejected' ? found.reason : (connected as PromiseRejectedResult).reason;
      }
      const { tool, version: toolLine } = found.value;
      const connection = connected.value;
      const release = async (): Promise<void> => {
        await connection.end().catch(() => {});
      };
      try {
        const [versionRows] = await connection.query<import('mysql2/promise').RowDataPacket[]>('SELECT VERSION() AS v');
        const serverVersion = String(versionRows[0]!.v);
        signal?.throwIfAborted();
        const connect = mysqlToolConnection(settings);
        const args = [
          ...connect.args,
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
        const counter = new MysqlRowCounter();
        // Into the compressor's stdin when given one, counted on the way (see tool-output-pump.ts);
        // otherwise a stream through the counter.
        const pump = output ? await startToolOutputPump(output, (chunk) => counter.inspect(chunk)) : undefined;
        const proc = spawnTool(tool, args, {
          env: resolved.env,
          extraEnv: connect.env,
          stdout: pump?.toolEnd ?? 'pipe',
          bufferOutput: true,
          secrets: [settings.password],
          isPermanent: isPermanentMysqlFailure,
        });
        if (pump)
          pump.toolEnd.destroy(); // the tool has its own copy
        else proc.stdout!.pipe(counter);
        const done = (async (): Promise<SourceMetadata> => {
          try {
            // The tool may exit while its last chunks are still on their way.
            await Promise.all([proc.exited, pump ? pump.done : finished(counter, { readable: false })]);
            const counted = counter.result();
            const tables =
              counted ??
              (await mysqlTableCounts(connection).catch((error: unknown) => {
                throw mysqlConnectError(settings, error);
              }));
            return {
              database: settings.database,
              versions: { server: serverVersion, tool: toolLine },
              tables,
              rowCounts: counted ? 'same-snapshot' : 'separate-snapshot',
            };
          } finally {
            proc.kill();
            await release();
          }
        })();
        done.catch(() => {});
        const abort = (): void => {
          proc.kill();
          pump?.destroy();
          void release();
        };
        signal?.addEventListener('abort', abort, { once: true });
        return { stream: pump ? undefined : counter, finished: done, abort };
      } catch (error) {
        await release();
        if (signal?.aborted) throw new BackupAbortedError(`backup of ${settings.label}`, error);
        throw error;
      }
    },
  };
}
