import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectRedis } from './redis.js';
import { waitFor } from './wait-for.js';

/**
 * A redis-server of this test's own on `port`, so a test can stop Redis without touching the
 * shared one. No automatic persistence; `stop()` saves to its own directory with SHUTDOWN SAVE
 * so that a restart on the same port comes back with the data, like a real Redis restart.
 */
export class OwnRedis {
  private child: ChildProcess | undefined;
  private dir: string | undefined;

  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'kw-metrics-redis-'));
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--dir',
        this.dir,
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    await waitFor(
      `redis-server on port ${this.port}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
        const client = await connectRedis(this.port);
        try {
          await client.ping();
        } finally {
          client.disconnect();
        }
        return true;
      },
      10_000,
      50,
    );
  }

  /** Saves and stops the server; resolves once the process has exited and the port is closed. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const client = await connectRedis(this.port);
    await client.call('SHUTDOWN', 'SAVE').catch(() => undefined);
    client.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  /** Ends the server abruptly (a crash, `kill -9`: nothing saved), or freezes it (`SIGSTOP`). */
  async kill(signal: 'SIGKILL' | 'SIGSTOP' = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    if (signal === 'SIGSTOP') {
      child.kill('SIGSTOP');
      return;
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  /** Stops the server for good and removes its directory. */
  async destroy(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    this.child = undefined;
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
