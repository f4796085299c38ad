import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, formatProblem, loadConfig } from '@keepwatch/config';
import { afterAll, describe, expect, it } from 'vitest';
import { REDIS_URL, removeRedisPrefix } from './helpers/server.js';

/*
 * Issue 16, item 8: a server that cannot start exits 1 at once with one line naming the key, and
 * never lingers. Before, `[metrics] user = a:b` passed config check, then the server printed
 * "invalid metrics exposition options", never listened, and stayed alive on its Redis client.
 */

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const prefix = `kw-test-server-start-${randomUUID()}:`;

afterAll(async () => {
  await removeRedisPrefix(prefix);
});

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built server until it ends, or kills it after `timeoutMs` and says so. */
function runServer(path: string, timeoutMs = 15_000): Promise<Ended> {
  const started = Date.now();
  const child = spawn(process.execPath, [main, '--config', path], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server was still running after ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** A config with its own data directory and the test Redis under this file's prefix, plus `lines`. */
async function configFile(lines: string[], redisUrl = REDIS_URL): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kw-server-start-'));
  const path = join(dir, 'keepwatch.ini');
  const common = ['[data]', `dir = ${join(dir, 'data')}`, '[backup]', `destination = ${join(dir, 'backups')}`];
  await writeFile(path, [...common, '[redis]', `url = ${redisUrl}`, `prefix = ${prefix}`, ...lines, ''].join('\n'));
  return path;
}

/** The line `keepwatch config check` prints for the same file: one verdict for both. */
async function configCheckLine(path: string): Promise<string> {
  const error = await loadConfig({ path, env: {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const { problems } = error as ConfigError;
  expect(problems).toHaveLength(1);
  return formatProblem(problems[0]!);
}

describe('a server that cannot start', () => {
  it.each([
    [
      '[metrics] user with ":"',
      ['[metrics]', 'enabled = true', 'user = a:b', 'passphrase = scrape-passphrase'],
      REDIS_URL,
      '[metrics] user',
    ],
    ['[health] timeout finer than a millisecond', ['[health]', 'timeout = 1000.5ms'], REDIS_URL, '[health] timeout'],
    ['a [redis] url password with a stray "%"', [], 'redis://:Pa55%ZZx@127.0.0.1:6379/0', '[redis] url'],
  ])("exits 1 at once with config check's line for %s", async (_what, lines, redisUrl, key) => {
    const path = await configFile(lines, redisUrl);
    const expected = await configCheckLine(path);
    expect(expected).toContain(`: ${key}: `);
    const ended = await runServer(path);
    expect(ended.code).toBe(1);
    expect(ended.stderr).toBe(`keepwatch-server: the configuration is invalid: ${expected}\n`);
    expect(ended.stdout).toBe('');
    expect(ended.ms).toBeLessThan(10_000);
  });

  describe('when [server] listen is taken, after its Redis clients opened', () => {
    let blocker: Server;
    afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

    it('exits 1 at once, naming the setting, without a stack', async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const { port } = blocker.address() as { port: number };
      const path = await configFile(['[server]', `listen = 127.0.0.1:${port}`, '[metrics]', 'enabled = true']);
      const ended = await runServer(path);
      expect(ended.code).toBe(1);
      expect(ended.stderr).toBe(
        `keepwatch-server: cannot listen on 127.0.0.1:${port} ([server] listen): another process listens on that port (EADDRINUSE)\n`,
      );
      expect(ended.ms).toBeLessThan(10_000);
    });
  });
});
