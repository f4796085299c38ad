import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { zstdCompressArgs, type CompressionTools } from './compression.js';
import { keepOutput, spawnTool, type ToolEnvironment, type ToolProcess } from './tool-process.js';

/**
 * zstd fed straight by the dump tool: the dump tool's stdout is zstd's stdin, a pipe between the
 * two processes, so the uncompressed dump never passes through Node (or, for a source that reads
 * its own dump, passes through one reused buffer: tool-output-pump.ts). Copying it through the
 * event loop cost the worker more CPU than pg_dump itself (0.5 s for a 225 MB dump on a 2-core
 * machine: a fresh 64 KB Buffer per read), and on a busy machine that CPU is the dump's speed.
 *
 * Node then never sees the raw bytes, so zstd counts them: with `-vv` its last summary line
 * gives both sizes exactly (`(224596964 B => 2058938 B, …)`; zstd 1.4 wrote `bytes` after the
 * second figure only). `directCompressionSupported` checks once per zstd that it does, and the
 * backup falls back to piping through Node when it does not.
 */
export interface DirectCompressor {
  /**
   * zstd's stdin, for the source: it hands it to its dump tool as stdout (and closes Node's
   * copy), or writes into it and ends it.
   */
  readonly input: Writable;
  /** The compressed bytes. */
  readonly readable: Readable;
  /** Settles when zstd has exited; rejects unless it exited 0. */
  readonly exited: Promise<void>;
  /**
   * Bytes zstd read: exact (from its summary) once it has exited, approximate while it runs
   * (its read count in /proc, Linux only; undefined elsewhere).
   */
  inputBytes(): number | undefined;
  /** Bytes zstd says it wrote, once it has exited. */
  outputBytes(): number | undefined;
  abort(): void;
}

/** zstd's banner and settings lines at -vv: chatter, left out of failure messages. */
const NOISE =
  /^(\*\*\* Zstandard|\*\*\* zstd|--zstd=|--format=|Using std(in|out)|Decompression will require|.*: Completed in)/;
const SUMMARY = /\(\s*(\d+)(?: B)?\s*=>\s*(\d+) (?:B|bytes),/g;

/** The exact sizes in zstd's verbose summary, or undefined when there is none. */
export function parseZstdSummary(stderr: string): { input: number; output: number } | undefined {
  const matches = [...stderr.matchAll(SUMMARY)];
  const last = matches.at(-1);
  return last ? { input: Number(last[1]), output: Number(last[2]) } : undefined;
}

export function startDirectCompressor(tools: CompressionTools): DirectCompressor {
  const proc = spawnVerboseZstd(tools.zstdPath, zstdCompressArgs(tools), 'pipe', tools.env);
  let summary: { input: number; output: number } | undefined;
  const exited = proc.exited.then(() => {
    summary = parseZstdSummary(proc.stderrTail());
  });
  exited.catch(() => {});
  return {
    input: proc.stdin!,
    readable: keepOutput(proc.stdout!),
    exited,
    inputBytes: () => summary?.input ?? bytesRead(proc.child.pid),
    outputBytes: () => summary?.output,
    abort: () => proc.kill(),
  };
}

/** zstd reading its stdin and writing its summary (`-vv`) to stderr, the banner kept out of failure messages. */
function spawnVerboseZstd(
  zstdPath: string,
  args: string[],
  stdout: 'pipe' | 'ignore',
  env: ToolEnvironment | undefined,
): ToolProcess {
  return spawnTool({ name: 'zstd', path: zstdPath, option: 'zstdPath' }, [...args, '-vv', '--no-progress'], {
    env,
    stdin: 'pipe',
    stdout,
    stderrNoise: NOISE,
  });
}

/** `rchar` of a running process: what it read so far (plus a few KB of its own start-up). */
function bytesRead(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

const supported = new Map<string, Promise<boolean>>();

/**
 * Whether this zstd reports exact sizes we can read: compresses 9 known bytes once per path (and
 * PATH, which a bare `zstd` is looked up on) and process and looks for them in its summary. False (never a rejection) for any failure: the
 * backup then pipes through Node and meets the failure there, with the usual message.
 */
export function directCompressionSupported(zstdPath: string, env?: ToolEnvironment): Promise<boolean> {
  const key = `${zstdPath}\0${env?.PATH ?? ''}`;
  let probe = supported.get(key);
  if (!probe) {
    const proc = spawnVerboseZstd(zstdPath, ['-1', '-c'], 'ignore', env);
    proc.stdin!.end('keepwatch');
    probe = proc.exited.then(
      () => parseZstdSummary(proc.stderrTail())?.input === 9,
      () => false,
    );
    supported.set(key, probe);
  }
  return probe;
}
