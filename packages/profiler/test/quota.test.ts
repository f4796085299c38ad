import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { profilerPlugin } from '../src/fastify.js';
import { createProfiler, readProfile, type Profiler } from '../src/index.js';
import { burnCpuWithFibonacci } from './helpers/cpu-work.js';
import { filesIn, profileFilesIn } from './helpers/profile-dir.js';
import { makeTempDir } from './helpers/temp-dir.js';

let dir: Awaited<ReturnType<typeof makeTempDir>>;
let profiler: Profiler | undefined;

beforeEach(async () => {
  dir = await makeTempDir('quota');
});

afterEach(async () => {
  await profiler?.close();
  profiler = undefined;
  await dir.remove();
});

async function runRequests(count: number, options: { maxFiles?: number; maxBytes?: number }): Promise<string[]> {
  profiler = createProfiler({ directory: dir.profiles, rate: 1, samplingIntervalUs: 200, maxOverhead: 1, ...options });
  const app = Fastify();
  await app.register(profilerPlugin, { profiler });
  app.get('/work/:n', async (request) => ({
    value: burnCpuWithFibonacci(Number((request.params as { n: string }).n)),
  }));
  const written: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const before = new Set(await profileFilesIn(dir.profiles));
      expect((await app.inject(`/work/${18 + (i % 4)}`)).statusCode).toBe(200);
      await profiler.idle();
      const added = (await profileFilesIn(dir.profiles)).filter((f) => !before.has(f));
      expect(added).toHaveLength(1);
      written.push(added[0]!);
    }
  } finally {
    await app.close();
  }
  return written;
}

describe('profile quota', () => {
  it('keeps at most maxFiles profiles, the newest, each a valid CPU profile', async () => {
    const written = await runRequests(12, { maxFiles: 5 });
    const kept = await profileFilesIn(dir.profiles);
    expect(kept).toEqual(written.slice(-5).sort());
    // Each profile keeps its metadata; evicted ones take theirs along.
    expect(await filesIn(dir.profiles)).toHaveLength(10);
    expect(profiler!.stats()).toMatchObject({ written: 12, evicted: 7 });
    for (const file of kept) {
      const profile = await readProfile(join(dir.profiles, file));
      expect(profile.nodes.length).toBeGreaterThan(0);
      expect(profile.samples.length).toBe(profile.timeDeltas.length);
      expect(profile.endTime).toBeGreaterThan(profile.startTime);
    }
  });

  it('keeps the directory within maxBytes, profiles and metadata together', async () => {
    const maxBytes = 60 * 1024;
    await runRequests(15, { maxBytes });
    const names = await readdir(dir.profiles);
    const sizes = await Promise.all(names.map(async (n) => (await stat(join(dir.profiles, n))).size));
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(maxBytes);
    expect(profiler!.stats().evicted).toBeGreaterThan(0);
    expect(names.filter((n) => n.endsWith('.cpuprofile')).length).toBeGreaterThan(0);
  });

  it('drops a profile larger than maxBytes on its own instead of emptying the directory', async () => {
    profiler = createProfiler({ directory: dir.profiles, taskRate: 1, samplingIntervalUs: 100, maxBytes: 1024 });
    const capture = profiler.start({ kind: 'task', name: 'big' })!;
    burnCpuWithFibonacci(25);
    capture.finish('ok');
    await profiler.idle();
    expect(profiler.stats()).toMatchObject({ captured: 1, written: 0, dropped: 1 });
    expect(await profileFilesIn(dir.profiles)).toEqual([]);
  });

  it('leaves files that are not profiles alone', async () => {
    await runRequests(1, {});
    await writeFile(join(dir.profiles, 'README.txt'), 'operator notes');
    await profiler!.close();
    await runRequests(3, { maxFiles: 1 });
    expect(await filesIn(dir.profiles)).toContain('README.txt');
    expect(await profileFilesIn(dir.profiles)).toHaveLength(1);
  });
});
