import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProfiler } from '@keepwatch/profiler';
import { profilerPlugin } from '@keepwatch/profiler/fastify';
import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

let dataDir: string;
const env = () => ({ KEEPWATCH_DATA_DIR: dataDir, KEEPWATCH_BACKUP_DESTINATION: join(dataDir, '..', 'backups') });

// One heavy request only: once V8 has optimized the hot handler it can inline it into Fastify's
// preHandlerCallbackInner, and a later profile then credits the caller with the handler's time.
async function burnCpuInCliTest(): Promise<{ x: number }> {
  const end = Date.now() + 150;
  let x = 0;
  while (Date.now() < end) for (let i = 0; i < 10_000; i++) x += Math.sqrt(i * x + 1);
  return { x };
}

beforeAll(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), 'kw-cli-profiles-')), 'data');
  const profiler = createProfiler({ directory: join(dataDir, 'profiles'), rate: 1, maxOverhead: 1 });
  const app = Fastify();
  await app.register(profilerPlugin, { profiler });
  app.get('/heavy/:id', { config: { name: 'heavy' } }, burnCpuInCliTest);
  app.get('/light', async () => 'ok');
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  for (const path of ['/light', '/heavy/1', '/light']) {
    await (await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) })).text();
    await profiler.idle();
  }
  await app.close();
  await profiler.close();
});

describe('keepwatch profiles', () => {
  it('lists the profiles, newest first, filtered by url_name', async () => {
    const all = await runCli(['profiles', 'list', '--json'], env());
    expect(all.code).toBe(0);
    const entries = JSON.parse(all.stdout) as { name: string; kind: string; status: string }[];
    expect(entries).toHaveLength(3);
    const heavy = await runCli(['profiles', 'list', '--url-name', 'heavy', '--json'], env());
    expect((JSON.parse(heavy.stdout) as unknown[]).length).toBe(1);
    const light = await runCli(['profiles', 'list', '--url-name', '/light', '--json'], env());
    expect((JSON.parse(light.stdout) as unknown[]).length).toBe(2);
    const table = await runCli(['profiles', 'list'], env());
    expect(table.stdout).toContain('heavy');
  });

  it('top names the CPU-heavy function first', async () => {
    const result = await runCli(['profiles', 'top', '--url-name', 'heavy', '--json', '--limit', '5'], env());
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { functions: { functionName: string; selfMs: number }[] };
    expect(report.functions[0]?.functionName).toBe('burnCpuInCliTest');
    expect(report.functions.length).toBeLessThanOrEqual(5);
    const human = await runCli(['profiles', 'top'], env());
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('burnCpuInCliTest');
  });

  it('rejects a bad filter with exit code 2 naming it', async () => {
    const limit = await runCli(['profiles', 'top', '--limit', 'many'], env());
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain('--limit');
    const profiles = await runCli(['profiles', 'top', '--profiles', '0'], env());
    expect(profiles.code).toBe(2);
    expect(profiles.stderr).toContain('--profiles takes a whole number above 0, got "0"');
    for (const words of [
      ['profiles', 'list'],
      ['profiles', 'top'],
    ]) {
      const both = await runCli([...words, '--url-name', 'heavy', '--task', 'backup'], env());
      expect(both.code, words.join(' ')).toBe(2);
      expect(both.stderr).toContain('keepwatch: give --url-name or --task, not both');
      const since = await runCli([...words, '--since', 'yesterday-ish'], env());
      expect(since.code, words.join(' ')).toBe(2);
      expect(since.stderr).toContain('keepwatch: --since: "yesterday-ish" is neither an ISO time');
    }
  });
});
