import { once } from 'node:events';
import { connect } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { logLines } from '@keepwatch/test-support/log-lines';
import Fastify from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { profilerPlugin } from '../src/fastify.js';
import { createProfiler, listProfiles, profileTask, type Profiler } from '../src/index.js';
import { burnCpuWithFibonacci, sleep } from './helpers/cpu-work.js';
import { profileFilesIn } from './helpers/profile-dir.js';
import { makeTempDir } from './helpers/temp-dir.js';

let dir: Awaited<ReturnType<typeof makeTempDir>>;
let profiler: Profiler | undefined;

beforeEach(async () => {
  dir = await makeTempDir('end');
});

afterEach(async () => {
  await profiler?.close();
  profiler = undefined;
  await dir.remove();
});

describe('how a capture ends', () => {
  it('stops a capture at maxDurationMs, writes it as timeout, and frees the profiler', async () => {
    profiler = createProfiler({ directory: dir.profiles, taskRate: 1, maxDurationMs: 100, maxOverhead: 1 });
    await profileTask(profiler, 'stuck-job', () => sleep(600));
    await profiler.idle();
    let entries = await listProfiles(dir.profiles);
    expect(entries.map((e) => [e.name, e.status])).toEqual([['stuck-job', 'timeout']]);
    expect(entries[0]!.durationMs).toBeGreaterThanOrEqual(90);
    expect(entries[0]!.durationMs).toBeLessThan(550);

    await profileTask(profiler, 'next-job', () => burnCpuWithFibonacci(20));
    await profiler.idle();
    entries = await listProfiles(dir.profiles, { name: 'next-job' });
    expect(entries.map((e) => e.status)).toEqual(['ok']);
    expect(profiler.stats()).toMatchObject({ skipped: 0, written: 2 });
  });

  it('ends the capture of a request whose client went away, as aborted', async () => {
    profiler = createProfiler({ directory: dir.profiles, rate: 1 });
    const app = Fastify();
    await app.register(profilerPlugin, { profiler });
    let entered = false;
    app.get('/hang', async () => {
      entered = true;
      await sleep(1000);
      return { ok: true };
    });
    // The socket matters here: inject cannot drop a connection half way.
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as { port: number };
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write('GET /hang HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await vi.waitFor(() => expect(entered, 'the request to reach its handler').toBe(true), {
        timeout: 5000,
        interval: 5,
      });
      socket.destroy();
      await vi.waitFor(() => expect(profiler!.stats().captured, 'captures ended').toBe(1), {
        timeout: 2000,
        interval: 5,
      });
      expect(profiler.stats().capturing).toBe(false);
      await profiler.idle();
      const entries = await listProfiles(dir.profiles);
      expect(entries.map((e) => [e.name, e.status])).toEqual([['/hang', 'aborted']]);
      expect(entries[0]!.durationMs).toBeLessThan(900);
    } finally {
      await app.close();
    }
  });

  it('logs and counts a failed write without failing the request', async () => {
    const { stream: sink, lines } = logLines();
    // A file where the directory should be: every write must fail.
    const blocked = join(dir.root, 'not-a-directory');
    await writeFile(blocked, '');
    const events: string[] = [];
    profiler = createProfiler({
      directory: join(blocked, 'profiles'),
      rate: 1,
      logger: pino({ level: 'debug' }, sink),
      onEvent: (event) => events.push(event),
    });
    const app = Fastify();
    await app.register(profilerPlugin, { profiler });
    app.get('/', async () => ({ ok: true }));
    expect((await app.inject('/')).statusCode).toBe(200);
    await profiler.idle();
    await app.close();
    expect(events).toEqual(['sampled', 'captured', 'dropped']);
    const warning = lines.find((line) => line.msg === 'could not write profile');
    expect(warning).toMatchObject({ level: 40 });
    expect(JSON.stringify(warning)).toContain('not-a-directory');
  });

  it('a listener that throws does not break the request', async () => {
    profiler = createProfiler({
      directory: dir.profiles,
      rate: 1,
      onEvent: () => {
        throw new Error('metrics store down');
      },
    });
    const app = Fastify();
    await app.register(profilerPlugin, { profiler });
    app.get('/', async () => ({ ok: true }));
    expect((await app.inject('/')).statusCode).toBe(200);
    await profiler.idle();
    await app.close();
    expect(await profileFilesIn(dir.profiles)).toHaveLength(1);
  });
});
