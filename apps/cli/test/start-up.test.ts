import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

// A bare `keepwatch backup list` starts in about a third of the time it took when every command
// loaded the Redis, database and logging clients, zod and BullMQ (docs/benchmarks.md, "CLI
// start-up"). Node names every CommonJS module it loads under NODE_DEBUG=module and every ES
// module under NODE_DEBUG=esm; zod and bullmq are loaded as ES modules, the clients as CommonJS.
const heavy = /node_modules\/(ioredis|pg|mysql2|pino|prom-client|zod|bullmq)\//;
let dir: string;
let config: string;

/** The heavy packages the command loaded, by name. */
async function heavyLoads(args: string[]): Promise<string[]> {
  const result = await runCli(['--config', config, ...args], { NODE_DEBUG: 'module,esm' });
  expect(result.code, result.stderr.slice(-2000)).toBe(0);
  return [...new Set(result.stderr.match(new RegExp(heavy, 'g')) ?? [])].map((path) => heavy.exec(path)![1]!).sort();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-cli-start-up-'));
  await mkdir(join(dir, 'backups'));
  config = join(dir, 'keepwatch.ini');
  await writeFile(config, `[data]\ndir = ${join(dir, 'data')}\n\n[backup]\ndestination = ${join(dir, 'backups')}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('keepwatch start-up', () => {
  it('backup list, prune and config check load no Redis, database or logging client, no zod or BullMQ', async () => {
    for (const args of [
      ['backup', 'list'],
      ['backup', 'list', '--json'],
      ['backup', 'prune', '--dry-run'],
      ['config', 'check'],
    ]) {
      expect({ args, loaded: await heavyLoads(args) }).toEqual({ args, loaded: [] });
    }
  });

  it('health does load them (the check sees a load, CommonJS and ES modules)', async () => {
    // zod comes as an ES module, with @keepwatch/jobs, through runtime's root entry.
    expect(await heavyLoads(['health'])).toEqual(['ioredis', 'mysql2', 'pg', 'pino', 'prom-client', 'zod']);
  });
});
