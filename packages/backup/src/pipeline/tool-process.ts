import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough, pipeline, type Readable, type Writable } from 'node:stream';
import { BackupToolFailedError, BackupToolMissingError } from '../errors.js';

/** A command-line tool and the option that points at it, for messages that say what to fix. */
export interface ToolSpec {
  /** Name shown in messages: `pg_dump`. */
  name: string;
  /** Command or path to run. */
  path: string;
  /** The option a user sets to change `path`: `pgDumpPath`. */
  option: string;
}

/**
 * The environment a caller runs the tools in (names to strings): the package never reads the
 * process's own; apps and `@keepwatch/runtime` pass it in.
 */
export type ToolEnvironment = Readonly<Record<string, string | undefined>>;

/** The option every part of backup that runs a tool takes. */
export interface ToolEnvironmentOptions {
  /**
   * The environment the tools start from (PATH, HOME, the locale), as the app hands it in. Every `PG*` and `MYSQL*` variable in it is left out, so a dump or restore uses
   * only the connection settings keepwatch gives it.
   * @defaultValue `{}`: no variables, so tools are found in /usr/bin and /bin only
   */
  env?: ToolEnvironment;
}

export interface SpawnToolOptions extends ToolEnvironmentOptions {
  /** keepwatch's own variables on top of `env` (PGPASSWORD, MYSQL_PWD, …). */
  extraEnv?: Record<string, string>;
  stdin?: 'pipe' | 'ignore';
  /**
   * `'pipe'` for a stream Node reads; or another tool's stdin, which this tool then writes into
   * directly (the bytes go from one process to the next without passing through Node). The
   * caller closes its own copy of that stdin once the tool has started.
   */
  stdout?: 'pipe' | 'ignore' | Writable;
  /** stderr lines that are chatter, not failure (a verbose banner): left out of the tail. */
  stderrNoise?: RegExp;
  /** Strings scrubbed from the stderr tail before it reaches an error message. */
  secrets?: (string | undefined)[];
  /**
   * Run the tool under `stdbuf -o1M` (when coreutils has it): dump tools write stdout through
   * stdio in 4-8 KB pieces, and a Node reader woken for each one spent more CPU than zstd (76,000
   * reads for a 419 MB mariadb-dump; 7,000 with a 1 MB buffer, and a quarter of the CPU).
   */
  bufferOutput?: boolean;
  /** True when the stderr shows a failure that another attempt cannot fix (a wrong password). */
  isPermanent?: (stderrTail: string) => boolean;
}

export interface ToolProcess {
  readonly child: ChildProcess;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  /** Settles when the process has exited and its pipes closed; rejects unless it exited 0. */
  readonly exited: Promise<void>;
  /** The stderr collected so far (redacted, last few KB). */
  stderrTail(): string;
  /** SIGTERM now, SIGKILL if it lingers; a no-op once it has exited. */
  kill(): void;
}

const STDERR_KEEP = 4096;
const TAIL_CHARS = 1000;

/**
 * The environment a tool sees: the caller's, minus every `PG*` and `MYSQL*` variable, so the only
 * connection settings a dump or restore uses are the ones passed in options; messages in English
 * so failures can be classified.
 */
export function toolEnvironment(base: ToolEnvironment = {}, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (/^(PG|MYSQL)/.test(key) || value === undefined) continue;
    env[key] = value;
  }
  return { ...env, LC_MESSAGES: 'C', ...extra };
}

export function redact(text: string, secrets: (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length > 0) out = out.split(secret).join('***');
  }
  return out;
}

export function spawnTool(tool: ToolSpec, args: string[], options: SpawnToolOptions = {}): ToolProcess {
  const [command, argv] =
    options.bufferOutput && stdbufPath() ? [stdbufPath()!, ['-o1M', tool.path, ...args]] : [tool.path, args];
  const child = spawn(command, argv, {
    env: toolEnvironment(options.env, options.extraEnv),
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });
  const tail = (): string => {
    const text = redact(stderr, options.secrets).trim();
    const noise = options.stderrNoise;
    const lines = text
      .split('\n')
      .filter((line) => !noise?.test(line))
      .slice(-6)
      .join('\n');
    return lines.length > TAIL_CHARS ? `…${lines.slice(-TAIL_CHARS)}` : lines;
  };
  let done = false;
  let killTimer: NodeJS.Timeout | undefined;
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      done = true;
      if (error.code === 'ENOENT' || error.code === 'EACCES') {
        reject(new BackupToolMissingError(tool.name, tool.path, tool.option, error));
      } else {
        reject(new BackupToolFailedError(tool.name, null, null, error.message));
      }
    });
    child.once('close', (code, signal) => {
      done = true;
      clearTimeout(killTimer);
      if (code === 0) return resolve();
      const text = tail();
      reject(new BackupToolFailedError(tool.name, code, signal, text, !(options.isPermanent?.(text) ?? false)));
    });
  });
  // A caller that only races `exited` against something else must not crash the process.
  exited.catch(() => {});
  // A pipe a dead consumer closed raises EPIPE here; the exit code tells the real story.
  child.stdin?.on('error', () => {});
  child.stdout?.on('error', () => {});
  return {
    child,
    stdin: child.stdin,
    stdout: child.stdout,
    exited,
    stderrTail: tail,
    kill() {
      if (done || child.exitCode !== null) return;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
      killTimer.unref();
    },
  };
}

/**
 * A tool's stdout that keeps every byte until someone reads it, however late. When a child
 * exits, Node resumes each of its stdout streams nobody consumes yet (child_process'
 * flushStdio), which throws their buffered output away: a small dump could finish while the
 * backup is still creating its file, and arrive empty. Piped into a PassThrough at once, the
 * bytes wait there (what the child wrote after the reader fell behind is at most a pipe's worth).
 */
export function keepOutput(stdout: Readable): Readable {
  const kept = new PassThrough();
  // pipeline, not pipe: a failing stdout must fail the reader rather than leave it waiting.
  pipeline(stdout, kept, () => {});
  return kept;
}

/** First line of `<tool> --version`; a missing tool throws `BackupToolMissingError`. */
export async function toolVersion(tool: ToolSpec, env?: ToolEnvironment): Promise<string> {
  const proc = spawnTool(tool, ['--version'], { env });
  let out = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    out += chunk;
  });
  await proc.exited;
  return out.split('\n')[0]!.trim();
}

let stdbuf: string | null | undefined;

/** Where coreutils' stdbuf is, looked up once; null where there is none (macOS, busybox). */
function stdbufPath(): string | null {
  if (stdbuf === undefined)
    stdbuf = ['/usr/bin/stdbuf', '/bin/stdbuf', '/usr/local/bin/stdbuf'].find((p) => existsSync(p)) ?? null;
  return stdbuf;
}
