import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueName } from '@keepwatch/jobs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { testQueue, testWorkerEnv } from './helpers/worker-harness.js';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

describe('worker start', () => {
  it('removes the database password files an earlier keepwatch, killed mid-backup, left in the temp folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-worker-leftovers-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const prefix = `kw-test-worker-${randomUUID()}:`;
    cleanups.push((await testQueue(QueueName.maintenance, prefix)).close);
    const temp = join(dir, 'tmp');
    const leftover = join(temp, 'keepwatch-backup-Ab12Cd');
    await mkdir(leftover, { recursive: true, mode: 0o700 });
    await writeFile(join(leftover, 'pgpass'), '*:*:*:app:s3cret\n', { mode: 0o600 });

    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH ?? '', TMPDIR: temp, ...testWorkerEnv(dir, prefix) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      await vi.waitFor(() => expect(output).toContain('worker ready'), { timeout: 10_000, interval: 50 });
      expect(existsSync(leftover)).toBe(false);
      const line = output.split('\n').find((l) => l.includes('password files'));
      expect(JSON.parse(line!)).toMatchObject({ level: 40, removed: [leftover] });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(timer);
      child.kill('SIGKILL');
    }
  });
});
