import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@keepwatch/test-support/net';
import { vi } from 'vitest';

const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** The built server (`dist/main.js`) as a process of its own, and every line it wrote. */
export interface ServerProcess {
  url: string;
  /** Every line written to stdout, then to stderr, in order of arrival, as written. */
  stdout: string[];
  stderr: string[];
  /** Waits until a stdout line parses as JSON with this `msg`, at most `timeoutMs`. */
  waitForMessage(msg: string, timeoutMs: number, from?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s; removes its directory. Resolves with the exit code. */
  stop(): Promise<number | null>;
}

function lines(target: string[]) {
  let partial = '';
  return (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    target.push(...parts);
  };
}

/** Parses a line as a pino line would be; undefined for anything else. */
export function parseLogLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Starts `node dist/main.js` on a free port with the settings in `env`; resolves once it listens. */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'kw-server-process-'));
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH ?? '',
      KEEPWATCH_SERVER_LISTEN: `127.0.0.1:${port}`,
      KEEPWATCH_DATA_DIR: join(dir, 'data'),
      KEEPWATCH_BACKUP_DESTINATION: join(dir, 'backups'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout.on('data', lines(stdout));
  child.stderr.on('data', lines(stderr));
  const exited = once(child, 'exit');

  const waitForMessage = async (msg: string, timeoutMs: number, from = 0) => {
    const tail = () => [...stdout, ...stderr].slice(-5).join('\n');
    const gone = new Error('exited');
    try {
      await vi.waitUntil(
        () => {
          // A server that has exited will not write it: a thrown error ends the wait at once.
          if (child.exitCode !== null) throw gone;
          return stdout.slice(from).some((line) => parseLogLine(line)?.msg === msg);
        },
        { timeout: timeoutMs, interval: 25 },
      );
    } catch (error) {
      if (error === gone) throw new Error(`the server exited with ${child.exitCode}: ${tail()}`);
      throw new Error(`no "${msg}" from the server within ${timeoutMs} ms; it wrote: ${tail()}`);
    }
  };

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
    return child.exitCode;
  };

  try {
    await waitForMessage(`Server listening at http://127.0.0.1:${port}`, 15_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, stdout, stderr, waitForMessage, stop };
}
