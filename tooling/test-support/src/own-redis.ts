import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';

/** A redis-server of a test's own, which the test may stop, restart on the same port, or freeze. */
export interface OwnRedis {
  port: number;
  /** `redis://127.0.0.1:<port>/0`. */
  url: string;
  /** Stops the server (SIGTERM; SIGKILL after 5 s); resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty; resolves once it answers PING. */
  start(): Promise<void>;
  /** SIGSTOP: the port still accepts connections, and nothing answers. */
  freeze(): void;
  /** SIGCONT after {@link freeze}. */
  thaw(): void;
  /** Stops it for good and removes its directory. Call it in `afterAll`. */
  destroy(): Promise<void>;
}

/**
 * Starts a private, non-persistent redis-server on a free loopback port, so a test can take
 * "Redis" down (or freeze it) without touching the shared one on 6379.
 */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'kw-test-redis-'));
  let child: ChildProcess | undefined;
  let output = '';

  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const start = async () => {
    if (running()) return;
    output = '';
    const started = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--dir',
        dir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const stream of [started.stdout, started.stderr])
      stream?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
    // A spawn that fails (no redis-server installed) emits 'error' instead of 'spawn'.
    try {
      await once(started, 'spawn');
    } catch (error) {
      throw new Error(
        `cannot start redis-server (${(error as Error).message}): install redis-server (scripts/prepare-machine.sh does)`,
      );
    }
    child = started;
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port))) {
      if (!running() || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(
          `redis-server on port ${port} did not start within 10 s; its output ends: ${output.trim().slice(-500)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const stop = async () => {
    const current = child;
    if (!current || !running()) return;
    const exited = once(current, 'exit');
    current.kill('SIGCONT');
    current.kill('SIGTERM');
    const timer = setTimeout(() => current.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    start,
    stop,
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
    destroy: async () => {
      const current = child;
      if (current && running()) {
        const exited = once(current, 'exit');
        current.kill('SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One `PING` over a fresh connection, at most 1 s: true when the answer is `+PONG`. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1000);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      answer += data.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
  });
}
