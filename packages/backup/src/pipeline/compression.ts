import type { Duplex, Readable, Writable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { spawnTool, type ToolEnvironment } from './tool-process.js';

export type Compression = 'zstd' | 'gzip' | 'none';

/**
 * One transforming step of the pipeline. A tool's stdin and stdout are kept apart (and piped as
 * two segments by `runChain`) rather than joined with `Duplex.from`, which measurably slowed the
 * stream; an in-process transform is both ends at once.
 */
export interface PipelineStage {
  readonly writable: Writable;
  readonly readable: Readable;
  /** Settles when the step's process has exited (immediately for in-process steps). */
  readonly exited: Promise<void>;
  abort(): void;
}

export interface CompressionTools {
  /** @defaultValue 'zstd' */
  zstdPath: string;
  /** @defaultValue 3 */
  zstdLevel: number;
  /** The environment zstd starts from (`ToolEnvironmentOptions.env`). */
  env?: ToolEnvironment;
}

/** File name suffix for each compression. */
export const compressionExtension: Record<Compression, string> = { zstd: '.zst', gzip: '.gz', none: '' };

/*
 * zstd runs as the `zstd` tool rather than a library, on purpose: Node 20 has no zstd in zlib,
 * and the npm bindings (zstd-napi, @mongodb-js/zstd) fetch prebuilt binaries at install time
 * through prebuild-install, which fails on machines without internet beyond the registry; the
 * WASM ports hold whole frames in memory or are unmaintained. The tool streams with a few MB of
 * memory outside the worker's heap, runs on the other core, and is in every distribution.
 * gzip needs nothing: Node's zlib streams it.
 */
export function compressStage(compression: Compression, tools: CompressionTools): PipelineStage | undefined {
  if (compression === 'none') return undefined;
  if (compression === 'gzip') return inProcess(createGzip({ level: 6 }));
  return toolStage(tools.zstdPath, [...zstdCompressArgs(tools), '-q'], tools.env);
}

/**
 * zstd's compression arguments, wherever it is fed from. The CLI compresses on a worker thread
 * while its main thread does I/O, in jobs of 4 windows (8 MB at level 3), so stored-bytes progress
 * moves a job at a time. Smaller jobs (`-B1MiB`, used before) cost ratio on repetitive dumps, each
 * job seeing only part of the window. Measured (docs/zstd-job-size.md, zstd 1.5.4, each dump piped
 * into `zstd -3 [-B1MiB] -c | wc -c`, `bash docs/zstd-job-size.sh DUMP 9`):
 * - pgbench -s 50 (`pg_dump -Fc -Z0`, 513,002,116 B): 4,736,724 B plain, 5,578,508 B with -B1MiB
 *   (+17.8 %); zstd CPU 0.53 s both (medians; 2 shared cores at load 4-5, wall time was noise);
 * - a mixed, sakila-like dump (291,596,338 B): 115,245,174 B plain, 114,825,898 B with -B1MiB
 *   (-0.4 %); CPU 2.37 s vs 2.48 s.
 * So zstd's own job size: a sixth smaller where dumps repeat themselves, the same elsewhere.
 */
export function zstdCompressArgs(tools: CompressionTools): string[] {
  return [`-${tools.zstdLevel}`, '-c'];
}

export function decompressStage(
  compression: Compression,
  tools: Pick<CompressionTools, 'zstdPath' | 'env'>,
): PipelineStage | undefined {
  if (compression === 'none') return undefined;
  if (compression === 'gzip') return inProcess(createGunzip());
  return toolStage(tools.zstdPath, ['-d', '-q', '-c'], tools.env);
}

function toolStage(path: string, args: string[], env: ToolEnvironment | undefined): PipelineStage {
  const proc = spawnTool({ name: 'zstd', path, option: 'zstdPath' }, args, { env, stdin: 'pipe', stdout: 'pipe' });
  return {
    writable: proc.stdin!,
    readable: proc.stdout!,
    exited: proc.exited,
    abort: () => proc.kill(),
  };
}

/** Wraps an in-process transform (zlib, a hasher) as a stage. */
export function inProcess(stream: Duplex): PipelineStage {
  return { writable: stream, readable: stream, exited: Promise.resolve(), abort: () => stream.destroy() };
}
