import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { vi } from 'vitest';

/*
 * What the Sentinel and Cluster starters share: one redis-server process started from a config
 * file of its own (a password in a 0600 file, never on a command line where `ps` shows it),
 * redis-cli with the password in REDISCLI_AUTH, and a bounded wait.
 */

/** One redis-server (or Sentinel) process of a test. */
export interface RedisServerProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** The last 4 KB it wrote, for failure messages. */
  output(): string;
  running(): boolean;
  /** Sends `signal` (SIGKILL by default) and resolves once it has exited; at once when it had. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Writes `<dir>/<name>.conf` (mode 0600) from `lines` and starts `redis-server` on it (with
 * `--sentinel` when asked). Resolves once the process has spawned; {@link waitUntil} its PING.
 */
export async function spawnRedisServer(
  dir: string,
  name: string,
  port: number,
  lines: readonly string[],
  options: { sentinel?: boolean } = {},
): Promise<RedisServerProcess> {
  const file = join(dir, `${name}.conf`);
  await writeFile(
    file,
    [`port ${port}`, 'bind 127.0.0.1', 'daemonize no', `dir ${dir}`, 'loglevel warning', ...lines, ''].join('\n'),
    { mode: 0o600 },
  );
  const child = spawn('redis-server', [file, ...(options.sentinel ? ['--sentinel'] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  for (const stream of [child.stdout, child.stderr])
    stream?.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4096)));
  try {
    await once(child, 'spawn');
  } catch (error) {
    throw new Error(
      `cannot start redis-server (${(error as Error).message}): install redis-server (scripts/prepare-machine.sh does)`,
    );
  }
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    port,
    child,
    output: () => tail,
    running,
    async kill(signal = 'SIGKILL') {
      if (!running()) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
}

/** Kills every process at once, whatever state each is in; never rejects. */
export async function killAll(processes: Iterable<RedisServerProcess | undefined>): Promise<void> {
  await Promise.allSettled([...processes].map((p) => p?.kill('SIGKILL')));
}

/**
 * Runs one redis-cli command against `127.0.0.1:<port>`, at most `timeoutMs`, and returns its
 * output; the password travels in the environment (REDISCLI_AUTH).
 */
export function redisCli(
  port: number,
  args: readonly string[],
  options: { password?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'redis-cli',
      ['-h', '127.0.0.1', '-p', String(port), ...args],
      {
        timeout: options.timeoutMs ?? 5000,
        env: { PATH: process.env.PATH ?? '', ...(options.password ? { REDISCLI_AUTH: options.password } : {}) },
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`redis-cli -p ${port} ${args.join(' ')}: ${error.message} ${stderr}`.trim()));
        else resolve(stdout);
      },
    );
  });
}

/** `INFO <section>` as a map of its `key:value` lines. */
export async function redisInfo(port: number, section: string, password?: string): Promise<Map<string, string>> {
  const text = await redisCli(port, ['info', section], password === undefined ? {} : { password });
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}

/**
 * Polls `check` every `intervalMs` until it returns something other than undefined (a thrown
 * error counts as "not yet"), at most `timeoutMs`; the error names `what` and the last failure.
 * vitest's `vi.waitFor` does the polling; this adds the name of what was awaited.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  try {
    return await vi.waitFor(
      async () => {
        const value = await check();
        if (value === undefined) throw new Error('not yet');
        return value;
      },
      { timeout: timeoutMs, interval: intervalMs },
    );
  } catch (error) {
    const last = (error as Error).message;
    throw new Error(`${what}: not within ${timeoutMs} ms${last === 'not yet' ? '' : ` (last error: ${last})`}`);
  }
}
