import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from './helpers/run-cli.js';

const redisPrefix = `kw-test-cli-dispatch-${randomBytes(4).toString('hex')}:`;
let dir: string;

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    KEEPWATCH_REDIS_URL: 'redis://127.0.0.1:6379/0',
    KEEPWATCH_REDIS_PREFIX: redisPrefix,
    KEEPWATCH_DATA_DIR: join(dir, 'data'),
    KEEPWATCH_BACKUP_DESTINATION: join(dir, 'backups'),
    ...extra,
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-cli-dispatch-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('keepwatch arguments after the command words', () => {
  it('exits 2 naming a missing <id>', async () => {
    for (const args of [
      ['backup', 'verify'],
      ['backup', 'restore', '--target', join(dir, 'nowhere')],
    ]) {
      const result = await runCli(args, env());
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('keepwatch: missing <id>');
    }
  });

  it('exits 2 naming an argument the command does not take', async () => {
    for (const args of [
      ['backup', 'list', 'stray'],
      ['backup', 'verify', 'data-20260101T000000Z-abcdef', 'stray'],
      ['health', 'stray'],
      ['profiles', 'list', 'stray'],
    ]) {
      const result = await runCli(args, env());
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('keepwatch: unexpected argument "stray"');
    }
  });
});

describe('keepwatch global options before the command words', () => {
  it('takes --config, -c and --json before the command as after it', async () => {
    const path = join(dir, 'before.ini');
    const destination = join(dir, 'before-backups');
    await writeFile(path, `[backup]\ndestination = ${destination}\n`);
    // The destination only in the file: a list of it shows the file was read.
    const { KEEPWATCH_BACKUP_DESTINATION: _, ...fileEnv } = env();
    for (const args of [
      ['--config', path, 'backup', 'list'],
      ['-c', path, 'backup', 'list'],
      [`--config=${path}`, 'backup', 'list'],
      ['--json', '--config', path, 'backup', 'list'],
      ['backup', 'list', '--config', path],
    ]) {
      const result = await runCli(args, fileEnv);
      expect(result.stderr, args.join(' ')).toBe('');
      expect(result.code, args.join(' ')).toBe(0);
      if (args.includes('--json')) expect(JSON.parse(result.stdout)).toEqual([]);
      else expect(result.stdout).toBe(`no backups in ${destination}\n`);
    }
    const check = await runCli(['--config', path, 'config', 'check'], fileEnv);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(`config file: ${path}`);
  }, 60_000);

  it('shows the help for --config PATH alone, and still names an unknown command', async () => {
    const help = await runCli(['--config', join(dir, 'before.ini')], env());
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: keepwatch <command>/);
    const unknown = await runCli(['--config', join(dir, 'before.ini'), 'backup', 'frobnicate'], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('keepwatch: unknown command "backup frobnicate"');
  });
});

describe('keepwatch on Ctrl-C', () => {
  it('stops a backup waiting for the source lock, exits 1 saying why, and leaves the lock to its holder', async () => {
    const redis = new Redis('redis://127.0.0.1:6379/0');
    const monitor = await redis.monitor();
    const key = `${redisPrefix}backup:lock:data`;
    try {
      await redis.set(key, 'a-worker-elsewhere', 'PX', 60_000);
      // The command's first try for the lock shows it is running with its handler in place.
      const tried = new Promise<void>((resolve) =>
        monitor.on('monitor', (_time: string, args: string[]) => {
          if (args[0]?.toLowerCase() === 'set' && args[1] === key && args.includes('NX')) resolve();
        }),
      );
      const { child, result } = startCli(
        ['backup', 'run', '--source', 'data'],
        env({ KEEPWATCH_BACKUP_LOCK_WAIT: '60s' }),
      );
      await tried;
      const interrupted = Date.now();
      child.kill('SIGINT');
      const run = await result;
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('interrupted by SIGINT');
      expect(Date.now() - interrupted).toBeLessThan(5000);
      expect(await redis.get(key)).toBe('a-worker-elsewhere');
    } finally {
      monitor.disconnect();
      await redis.del(key);
      redis.disconnect();
    }
  }, 30_000);
});
