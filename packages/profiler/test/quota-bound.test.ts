import { spawn } from 'node:child_process';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { profilerPlugin } from '../src/fastify.js';
import { createProfiler, type ProfilerEvent, type Profiler } from '../src/index.js';
import { formatProfileStem } from '../src/profile-file-name.js';
import { type CapturedProfile, ProfileStore } from '../src/profile-store.js';
import { burnCpuWithFibonacci } from './helpers/cpu-work.js';
import { type DirectoryUsage, usageOf, watchUsage } from './helpers/directory-usage.js';
import { profileFilesIn } from './helpers/profile-dir.js';
import { syntheticProfile } from './helpers/synthetic-profile.js';
import { makeTempDir } from './helpers/temp-dir.js';

// The figures the quota overshot with when it was applied after each write: 6 files and 62 kB.
const maxFiles = 5;
const maxBytes = 40 * 1024;

let dir: Awaited<ReturnType<typeof makeTempDir>>;
let profiler: Profiler | undefined;
let watcher: ReturnType<typeof watchUsage> | undefined;

beforeEach(async () => {
  dir = await makeTempDir('quota-bound');
  // Made here so the watcher sees it from the first write on.
  await mkdir(dir.profiles, { recursive: true, mode: 0o700 });
  watcher = watchUsage(dir.profiles);
});

afterEach(async () => {
  watcher?.close();
  await profiler?.close();
  profiler = undefined;
  await dir.remove();
});

function overQuota(usage: DirectoryUsage): boolean {
  return usage.profiles > maxFiles || usage.bytes > maxBytes;
}

describe('the profile quota is a bound, not a target', () => {
  it('holds at every write of a real profiler and at every change of the directory', async () => {
    const atWrites: DirectoryUsage[] = [];
    profiler = createProfiler({
      directory: dir.profiles,
      rate: 1,
      samplingIntervalUs: 200,
      maxOverhead: 1,
      maxFiles,
      maxBytes,
      onEvent: (event) => {
        if (event === 'written') atWrites.push(usageOf(dir.profiles));
      },
    });
    const app = Fastify();
    await app.register(profilerPlugin, { profiler });
    app.get('/work/:n', async (request) => ({
      value: burnCpuWithFibonacci(Number((request.params as { n: string }).n)),
    }));
    try {
      for (let i = 0; i < 15; i++) {
        expect((await app.inject(`/work/${18 + (i % 4)}`)).statusCode).toBe(200);
        await profiler.idle();
      }
    } finally {
      await app.close();
    }
    expect(atWrites).toHaveLength(15);
    expect(atWrites.filter(overQuota)).toEqual([]);
    expect(watcher!.checks()).toBeGreaterThan(0);
    expect(watcher!.peak().profiles).toBeLessThanOrEqual(maxFiles);
    expect(watcher!.peak().bytes).toBeLessThanOrEqual(maxBytes);
    // The quota did bind: profiles were evicted, and the newest is kept.
    expect(profiler.stats()).toMatchObject({ written: 15, dropped: 0 });
    expect(profiler.stats().evicted).toBeGreaterThanOrEqual(10);
    expect((await profileFilesIn(dir.profiles)).length).toBeGreaterThan(0);
  });

  it('holds with several stores writing at once into one directory', async () => {
    const atWrites: DirectoryUsage[] = [];
    const counts: Record<string, number> = {};
    const emit = (event: ProfilerEvent): void => {
      counts[event] = (counts[event] ?? 0) + 1;
      if (event === 'written') atWrites.push(usageOf(dir.profiles));
    };
    const stores = Array.from(
      { length: 4 },
      () => new ProfileStore({ directory: dir.profiles, maxFiles, maxBytes, logger: { warn() {}, debug() {} }, emit }),
    );
    // One profile in four of 17 kB, the others of 3.7 kB (with their metadata): both limits bind,
    // by turns, and four writes at once may not all fit.
    const stacks = Array.from({ length: 100 }, (_, i) => ['main', `handler${i % 10}`, `leaf${i}`]);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 10; i++) {
      for (const [s, store] of stores.entries()) {
        writes.push(
          store.write({
            profile: syntheticProfile(stacks.slice(0, (i + s) % 4 === 0 ? 100 : 10)),
            kind: 'task',
            name: `store-${s}`,
            method: undefined,
            status: 'ok',
            startedAt: new Date(Date.now() + i * 10 + s),
            durationMs: 5,
            samplingIntervalUs: 1000,
          }),
        );
      }
    }
    await Promise.all(writes);
    expect(atWrites.filter(overQuota)).toEqual([]);
    expect(watcher!.peak().profiles).toBeLessThanOrEqual(maxFiles);
    expect(watcher!.peak().bytes).toBeLessThanOrEqual(maxBytes);
    expect((counts.written ?? 0) + (counts.dropped ?? 0)).toBe(40);
    // Some may be dropped (older than the kept ones by then, or crowded out); most are not.
    expect(counts.written).toBeGreaterThanOrEqual(25);
    expect(counts.evicted).toBeGreaterThan(0);
    // Nothing left behind: no reservation, no temp file, no metadata without its profile.
    const left = usageOf(dir.profiles);
    expect(left.profiles).toBeGreaterThan(0);
    expect(await profileFilesIn(dir.profiles)).toHaveLength(left.profiles);
  });

  it('holds with three processes profiling real work into one directory', async () => {
    const script = fileURLToPath(new URL('./fixtures/capture-loop.mjs', import.meta.url));
    const run = () =>
      new Promise<{ written: number; evicted: number; dropped: number; over: DirectoryUsage[] }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [script, JSON.stringify({ directory: dir.profiles, maxFiles, maxBytes, count: 12 })],
          {
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
        child.on('error', reject);
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          if (code === 0) resolve(JSON.parse(stdout));
          else reject(new Error(`capture-loop.mjs exited with ${code ?? signal}: ${stderr.slice(-2000)}`));
        });
      });
    const results = await Promise.all([run(), run(), run()]);
    expect(results.flatMap((r) => r.over)).toEqual([]);
    expect(watcher!.peak().profiles).toBeLessThanOrEqual(maxFiles);
    expect(watcher!.peak().bytes).toBeLessThanOrEqual(maxBytes);
    const total = results.reduce((sum, r) => ({ written: sum.written + r.written, dropped: sum.dropped + r.dropped }), {
      written: 0,
      dropped: 0,
    });
    expect(total.written + total.dropped).toBe(36);
    expect(total.written).toBeGreaterThanOrEqual(30);
  }, 40_000);
  it("counts another process's write in progress, and frees the room of one killed mid-write after 10 minutes", async () => {
    const counts: Record<string, number> = {};
    const store = new ProfileStore({
      directory: dir.profiles,
      maxFiles,
      maxBytes,
      logger: { warn() {}, debug() {} },
      emit: (event) => (counts[event] = (counts[event] ?? 0) + 1),
    });
    const captured = (): CapturedProfile => ({
      profile: syntheticProfile([['main', 'work']]),
      kind: 'task',
      name: 'small',
      method: undefined,
      status: 'ok',
      startedAt: new Date(),
      durationMs: 1,
      samplingIntervalUs: 1000,
    });
    // What a process announces before writing 40 kB less 100 bytes: no room for a small profile.
    const stem = formatProfileStem({
      startedAt: new Date(),
      durationMs: 5,
      kind: 'task',
      label: 'big',
      status: 'ok',
      pid: 1,
    });
    const reservation = join(dir.profiles, `.${stem}.cpuprofile.reserved-${maxBytes - 100}`);
    await writeFile(reservation, '');
    await store.write(captured());
    expect(counts).toEqual({ dropped: 1 });
    expect(await profileFilesIn(dir.profiles)).toEqual([]);

    // The process was killed: 11 minutes on, its reservation is a leftover and goes.
    const past = new Date(Date.now() - 11 * 60_000);
    await utimes(reservation, past, past);
    await store.write(captured());
    expect(counts).toEqual({ dropped: 1, written: 1 });
    expect((await readdir(dir.profiles)).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});
