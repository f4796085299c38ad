import type { Readable, Writable } from 'node:stream';
import type { BackupLogger } from '../logger.js';
import type { TableCount } from '../catalog/manifest.js';

/** What a source knows about a dump once it has finished; goes into the manifest. */
export interface SourceMetadata {
  database: string;
  versions: { server: string; tool: string };
  tables: TableCount[];
  rowCounts: 'same-snapshot' | 'separate-snapshot';
}

/** One running dump. */
export interface SourceDump {
  /**
   * The dump's bytes, uncompressed. Ends when the tool's output ends. Undefined when the tool
   * writes into `OpenSourceOptions.output` instead.
   */
  readonly stream: Readable | undefined;
  /**
   * Resolves once the tool exited 0 and the row counts are in; rejects with the tool's exit code
   * and stderr tail otherwise. Await it even when `stream` ended: a tool that fails half way
   * also ends its output.
   */
  readonly finished: Promise<SourceMetadata>;
  /** Stops the tool and releases connections and credential files; idempotent. */
  abort(): void;
}

export interface OpenSourceOptions {
  signal?: AbortSignal;
  logger?: BackupLogger;
  /**
   * Another tool's stdin (the compressor's) for a source with `writesToPipe` to deliver its dump
   * into, then own: hand it to the dump tool as stdout and close Node's copy, or write the dump
   * into it and end it. Other sources ignore it.
   */
  output?: Writable;
}

/**
 * Something that can be backed up: a database today, the data directory next. `open` checks
 * everything it can (tool present and new enough, credentials, reachability) before any byte
 * flows, so a doomed backup fails before a file is created.
 */
export interface BackupSource {
  /** The configured name (`database`); part of ids and of the destination's layout. */
  readonly name: string;
  /** Matches a `RestoreTarget`'s kind: a `DatabaseKind` (`postgres`, `mysql`) for a database. */
  readonly kind: string;
  /** Extension of the raw dump before compression: `pgdump`, `sql`. */
  readonly extension: string;
  /** Where it reads from, without secrets: `postgres://app@db:5432/app`. */
  readonly label: string;
  /** True when the source can deliver its dump into another process's stdin (`OpenSourceOptions.output`). */
  readonly writesToPipe?: boolean;
  open(options?: OpenSourceOptions): Promise<SourceDump>;
}
