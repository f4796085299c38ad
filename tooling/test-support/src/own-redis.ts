import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { freePort } from './net.js';
import { type RedisServerProcess, redisCli, spawnRedisServer } from './redis-processes.js';

/**
 * A redis-server of a test's own, which the test may stop and start again on the same port,
 * kill, or freeze, without touching the shared Redis on 6379.
 */
export interface OwnRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>/0`. */
  readonly url: string;
  /** Starts it again on the same port, with what the last `stop()` saved; resolves once it answers PING. */
  start(): Promise<void>;
  /**
   * Stops it as an operator would (`SHUTDOWN SAVE`; SIGKILL after 5 s): like a real Redis
   * restart, `start()` comes back with the data. Resolves once the process has exited.
   */
  stop(): Promise<void>;
  /** Ends it abruptly (SIGKILL, a crash): nothing is saved. Resolves once it has exited. */
  kill(): Promise<void>;
  /** SIGSTOP: the port still accepts connections, and nothing answers. */
  freeze(): void;
  /** SIGCONT after {@link freeze}. */
  thaw(): void;
  /** Kills it for good and removes its directory. Call it in `afterAll`/`afterEach`. */
  destroy(): Promise<void>;
}

/**
 * Starts a private redis-server on a free loopback port, saving nothing by itself (no RDB
 * snapshots, no AOF), so a test can take "Redis" down without touching the shared one.
 */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'kw-test-redis-'));
  let server: RedisServerProcess | undefined;

  const start = async () => {
    if (server?.running()) return;
    const started = await spawnRedisServer(dir, 'redis', port, ['save ""', 'appendonly no']);
    server = started;
    try {
      await vi.waitFor(
        async () => {
          if (!started.running()) throw new Error(`it exited with ${started.child.exitCode}`);
          const answer = await redisCli(port, ['ping'], { timeoutMs: 1000 });
          if (answer.trim() !== 'PONG') throw new Error(`PING answered ${JSON.stringify(answer)}`);
        },
        { timeout: 10_000, interval: 50 },
      );
    } catch (error) {
      await started.kill();
      throw new Error(
        `redis-server on port ${port} did not answer PING within 10 s (${(error as Error).message}); ` +
          `its output ends: ${started.output().trim().slice(-500)}`,
      );
    }
  };

  const stop = async () => {
    const current = server;
    if (!current?.running()) return;
    const exited = once(current.child, 'exit');
    current.child.kill('SIGCONT'); // a frozen server saves nothing
    await redisCli(port, ['shutdown', 'save'], { timeoutMs: 5000 }).catch(() => current.child.kill('SIGTERM'));
    const timer = setTimeout(() => current.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    start,
    stop,
    kill: async () => {
      await server?.kill('SIGKILL');
    },
    freeze: () => server?.child.kill('SIGSTOP'),
    thaw: () => server?.child.kill('SIGCONT'),
    destroy: async () => {
      await server?.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
