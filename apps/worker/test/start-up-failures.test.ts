import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, formatProblem, loadConfig } from '@keepwatch/config';
import { removeKeys } from '@keepwatch/test-support/redis';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startWorker } from '../src/start-worker.js';
import { REDIS_URL, silentLogger, testWorkerConfig, testWorkerEnv } from './helpers/worker-harness.js';

/*
 * Issue 16, item 8: a worker that cannot start exits 1 at once with one line naming the key, and
 * never lingers. Before, a database password with a stray "%" passed config check, then the
 * worker printed "unexpected error: URIError: URI malformed" with a stack and stayed alive,
 * taking no jobs, on its Redis connections.
 */

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const prefix = `kw-test-worker-start-${randomUUID()}:`;

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  try {
    await removeKeys(redis, `*${prefix}*`);
  } finally {
    redis.disconnect();
  }
});

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built worker until it ends, or kills it after `timeoutMs` and says so. */
function runWorker(env: Record<string, string>, timeoutMs = 15_000): Promise<Ended> {
  const started = Date.now();
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the worker was still running after ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** The line `keepwatch config check` prints for the same settings: one verdict for both. */
async function configCheckLine(env: Record<string, string>): Promise<string> {
  const error = await loadConfig({ env }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const { problems } = error as ConfigError;
  expect(problems).toHaveLength(1);
  return formatProblem(problems[0]!);
}

describe('a worker that cannot start', () => {
  it.each([
    [
      'a database password with a stray "%"',
      { KEEPWATCH_DATABASE_URL: 'postgres://u:Pa55%ZZx@127.0.0.1/app' },
      '[database] url',
    ],
    [
      'a database URL without a database name',
      { KEEPWATCH_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432' },
      '[database] url',
    ],
    ['a [backup] keep_last above what retention takes', { KEEPWATCH_BACKUP_KEEP_LAST: '200000' }, '[backup] keep_last'],
    ['a [backup] lock_wait finer than a millisecond', { KEEPWATCH_BACKUP_LOCK_WAIT: '1.0005s' }, '[backup] lock_wait'],
  ])("exits 1 at once with config check's line for %s", async (_what, settings, key) => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-worker-start-'));
    const env = { ...testWorkerEnv(dir, prefix), ...settings };
    const expected = await configCheckLine(env);
    expect(expected).toContain(`: ${key}: `);
    const ended = await runWorker(env);
    expect(ended.code).toBe(1);
    expect(ended.stderr).toBe(`keepwatch-worker: the configuration is invalid: ${expected}\n`);
    expect(ended.stdout).toBe('');
    expect(ended.ms).toBeLessThan(10_000);
  });

  it('closes the Redis connections it opened when a later start-up step throws', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-worker-start-'));
    const loaded = await testWorkerConfig(dir, prefix);
    const sockets = () => process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;
    const before = sockets();
    // A handler table that throws when read: the step after the clients opened.
    const handlers = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('handlers unavailable');
      },
    });
    await expect(startWorker({ loaded, logger: silentLogger(), handlers })).rejects.toThrow('handlers unavailable');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sockets()).toBe(before);
  });
});
