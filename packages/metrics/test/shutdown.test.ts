import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { type OwnRedis, startOwnRedis } from '@keepwatch/test-support/own-redis';
import type { RedisOptions } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type Child, runFixture, stopChild, withDeadline } from './helpers/child.js';
import { uniquePrefix } from './helpers/redis.js';

// Each case runs a redis-server of its own and kills (or freezes) it: the shared Redis stays up.
const servers: OwnRedis[] = [];
const children: Child[] = [];
const prefix = uniquePrefix('shutdown');
const timeoutMs = 1500;
/** What the README's shutdown gives quit() before it disconnects. */
const quitMs = 1000;
/**
 * ioredis's `disconnectTimeout` (default): disconnect() from a connection that is already gone
 * (or frozen) leaves a timer of that length on the old socket, which holds the event loop.
 */
const disconnectTimeoutMs = 2000;
/** Scheduling slack on a busy 2-core machine; the old close() alone took 2 × timeoutMs. */
const marginMs = 1000;

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => stopChild(child, 'SIGKILL')));
  await Promise.all(servers.splice(0).map((server) => server.destroy()));
});

describe('shutdown with Redis down, as the README says, with a plain new Redis(url)', () => {
  it.each<[string, RedisOptions, 'SIGKILL' | 'SIGSTOP']>([
    ["ioredis's defaults (20 retries per command, offline queue), Redis killed", {}, 'SIGKILL'],
    ['maxRetriesPerRequest: null (what BullMQ wants), Redis killed', { maxRetriesPerRequest: null }, 'SIGKILL'],
    ['enableOfflineQueue: false, Redis killed', { enableOfflineQueue: false }, 'SIGKILL'],
    ["ioredis's defaults, Redis frozen (SIGSTOP: connected, never answers)", {}, 'SIGSTOP'],
  ])(
    'close() returns within timeoutMs, and the process exits by itself: %s',
    async (_, client, signal) => {
      const server = await startOwnRedis();
      servers.push(server);
      const child = runFixture('shutdown.mjs', { url: `redis://127.0.0.1:${server.port}`, client, prefix, timeoutMs });
      children.push(child);
      let stdout = '';
      child.process.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      expect(JSON.parse(await withDeadline(child.firstLine, 15_000, 'shutdown fixture start'))).toEqual({
        ready: true,
      });

      if (signal === 'SIGSTOP') server.freeze();
      else await server.kill();
      // Flush ticks and a process-metrics publication now wait on the dead connection.
      await sleep(600);
      const started = performance.now();
      child.process.kill('SIGTERM');
      const limit = timeoutMs + quitMs + disconnectTimeoutMs + marginMs;
      const code = await Promise.race([child.exited, sleep(limit + 3000).then(() => 'still running')]);
      const exitedMs = performance.now() - started;
      const context = `stdout: ${stdout} stderr: ${child.stderr()}`;
      expect(code, context).toBe(0);
      expect(child.stderr()).toBe('');
      const { closeMs, shutdownMs } = JSON.parse(stdout.trim().split('\n')[1]!) as {
        closeMs: number;
        shutdownMs: number;
      };
      expect(closeMs, context).toBeLessThan(timeoutMs + marginMs);
      expect(shutdownMs, context).toBeLessThan(timeoutMs + quitMs + marginMs);
      expect(exitedMs, context).toBeLessThan(limit);
    },
    30_000,
  );

  it("the fixture's shutdown is the README's, line for line", async () => {
    const lines = (text: string) =>
      text
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
    const fixture = await readFile(new URL('./fixtures/shutdown.mjs', import.meta.url), 'utf8');
    const shutdown = /\/\/ README shutdown begin\n([\s\S]*?)\n\s*\/\/ README shutdown end/.exec(fixture)![1]!;
    const readme = lines(await readFile(new URL('../README.md', import.meta.url), 'utf8')).join('\n');
    expect(readme.includes(lines(shutdown).join('\n')), "README.md lacks the fixture's shutdown lines").toBe(true);
  });
});
